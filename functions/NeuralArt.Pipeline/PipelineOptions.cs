namespace NeuralArt.Pipeline;

/// <summary>
/// Settings of the pipeline shared by both hosts (section <c>NeuralArt:Pipeline</c>). The caps on
/// jobs are <see cref="Admission.JobLimitsOptions"/> (<c>NeuralArt:Limits</c>); the limits on input
/// images are the engine's <see cref="Engine.Imaging.ImageLimits"/> (<c>NeuralArt:Images</c>), one
/// home for both the door and the engines.
/// </summary>
public sealed class PipelineOptions
{
    public const string SectionName = "NeuralArt:Pipeline";

    /// <summary>Sidecars are small JSON files; anything bigger is refused.</summary>
    public long MaxSidecarBytes { get; set; } = 64 * 1024;

    /// <summary>Longest side of <c>preview.jpg</c>.</summary>
    public int PreviewMaxSide { get; set; } = 512;

    /// <summary>Largest frame an engine's final step reads back (a PNG at the largest working size fits easily).</summary>
    public long MaxOutputFileBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long result links (SAS) returned by the HTTP API stay valid.</summary>
    public TimeSpan ResultLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Keep <c>jobs/{id}/checkpoints/</c> after the job finished (for debugging).</summary>
    public bool KeepCheckpoints { get; set; }

    /// <summary>
    /// The name this process writes into each chunk record it runs (<c>job.json</c>'s <c>chunkRuns</c>):
    /// machine and process by default, so that two hosts on one machine are told apart.
    /// </summary>
    public string RunnerName { get; set; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Chunk time budget written into new jobs (see <see cref="Jobs.ChunkingPolicy"/>).</summary>
    public double ChunkTimeBudgetSeconds { get; set; } = 60;

    /// <summary>Activity attempts before a job fails (bad input is never retried).</summary>
    public int ActivityMaxAttempts { get; set; } = 4;

    public TimeSpan ActivityFirstRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Jobs listed by <c>GET /api/jobs</c> when the request names no <c>top</c>.</summary>
    public int DefaultListSize { get; set; } = 20;

    /// <summary>Longest side of a cell's thumbnail on a sweep's contact sheet (drawn from the cell's preview).</summary>
    public int SweepThumbnailSide { get; set; } = 256;

    /// <summary>How far back <c>GET /api/jobs</c> looks.</summary>
    public TimeSpan ListWindow { get; set; } = TimeSpan.FromDays(7);
}
