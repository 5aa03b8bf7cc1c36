namespace NeuralArt.Pipeline.Chunks;

/// <summary>Waits between polls of an empty queue: from <see cref="First"/>, doubling up to a ceiling, back to the start when a message came.</summary>
public sealed class PollBackoff(TimeSpan ceiling, TimeProvider clock)
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);

    private TimeSpan next = First;

    public void Reset() => next = First;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var wait = next < ceiling ? next : ceiling;
        next = wait + wait;
        await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
    }
}
