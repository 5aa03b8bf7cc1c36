namespace NeuralArt.Pipeline.Client;

/// <summary>Options of <see cref="NeuralArtClient"/> (Azure SDK style: one options class per client).</summary>
public sealed class NeuralArtClientOptions
{
    /// <summary>The shortest wait between two polls of a running job, whatever <c>Retry-After</c> says.</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between two polls (a large <c>Retry-After</c> is capped to this).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one HTTP call.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
