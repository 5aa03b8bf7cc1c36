using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace NeuralArt.Pipeline.Chunks;

/// <summary>
/// Keeps a taken message invisible while its chunk runs: every third of the visibility timeout it is
/// extended, so a long chunk is never handed to a second worker while the first one lives, and a
/// killed worker's chunk comes back one visibility timeout after its last renewal.
/// </summary>
internal sealed class MessageLease : IAsyncDisposable
{
    private readonly QueueClient queue;
    private readonly string messageId;
    private readonly TimeSpan visibility;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stop = new();
    private readonly Task renewing;
    private string popReceipt;

    public MessageLease(QueueClient queue, QueueMessage message, TimeSpan visibility, TimeProvider clock, ILogger logger)
    {
        this.queue = queue;
        this.visibility = visibility;
        this.logger = logger;
        messageId = message.MessageId;
        popReceipt = message.PopReceipt;
        renewing = RenewAsync(clock);
    }

    /// <summary>The chunk is reported: delete its message.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await StopRenewingAsync().ConfigureAwait(false);
        await queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chunk failed or was abandoned: let the message be delivered again after <paramref name="delay"/>.</summary>
    public async Task ReleaseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        await StopRenewingAsync().ConfigureAwait(false);
        await queue.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: delay, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task RenewAsync(TimeProvider clock)
    {
        var interval = visibility / 3;
        try
        {
            while (true)
            {
                await Task.Delay(interval, clock, stop.Token).ConfigureAwait(false);
                try
                {
                    // Each update returns a new pop receipt; completing or releasing needs the latest, and
                    // reads it only after this loop has ended (StopRenewingAsync), so no lock is needed.
                    var receipt = await queue.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: visibility, cancellationToken: stop.Token).ConfigureAwait(false);
                    popReceipt = receipt.Value.PopReceipt;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Storage hiccups: the next renewal tries again; the message returns only if all fail for a whole timeout.
                    logger.LogWarning("Could not extend message {MessageId} on {Queue}: {Error}", messageId, queue.Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: the caller completes or releases the message.
        }
    }

    private async Task StopRenewingAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }

        await renewing.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopRenewingAsync().ConfigureAwait(false);
        stop.Dispose();
    }
}
