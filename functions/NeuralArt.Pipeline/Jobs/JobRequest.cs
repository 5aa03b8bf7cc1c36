using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>
/// A validated job: the orchestration's input. Blob references only (the sources are read by the
/// Prepare activity), and the engine parameters as a JSON object text. Property names are fixed
/// so the payload reads the same whichever Durable host serializes it.
/// </summary>
public sealed record JobRequest
{
    /// <summary><c>dream</c> or <c>style</c> (<see cref="NeuralArt.Engine.Jobs.ArtworkKinds"/>).</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary>The content image.</summary>
    [JsonPropertyName("source")] public required BlobRef Source { get; init; }

    /// <summary>The style image (style jobs only).</summary>
    [JsonPropertyName("style")] public BlobRef? Style { get; init; }

    /// <summary>An optional JSON sidecar whose parameters override <see cref="ParametersJson"/>; read (and checked) when the job starts.</summary>
    [JsonPropertyName("sidecar")] public BlobRef? Sidecar { get; init; }

    /// <summary>Engine parameters: a JSON object (<c>{}</c> for the defaults).</summary>
    [JsonPropertyName("parameters")] public string ParametersJson { get; init; } = "{}";

    /// <summary>How the job came in: <see cref="JobOrigins"/>.</summary>
    [JsonPropertyName("origin")] public required string Origin { get; init; }

    [JsonPropertyName("submittedAt")] public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>How to cut the render into activities; fixed at submission so that replays see the same values.</summary>
    [JsonPropertyName("chunking")] public ChunkingPolicy Chunking { get; init; } = new();

    [JsonPropertyName("retry")] public RetrySettings Retry { get; init; } = new();
}

public static class JobOrigins
{
    public const string Inbox = "inbox";
    public const string Http = "http";
}

/// <summary>
/// Chunk sizing: each RunChunk activity should take about <see cref="BudgetSeconds"/>, measured from
/// the chunks already run (the first one runs <see cref="FirstChunkIterations"/> iterations to measure).
/// </summary>
public sealed record ChunkingPolicy
{
    /// <summary>Target wall time of one chunk; keep well under the host's activity timeout.</summary>
    [JsonPropertyName("budgetSeconds")] public double BudgetSeconds { get; init; } = 60;

    [JsonPropertyName("firstChunkIterations")] public int FirstChunkIterations { get; init; } = 1;

    /// <summary>Upper bound on iterations per chunk whatever the measurements say.</summary>
    [JsonPropertyName("maxChunkIterations")] public int MaxChunkIterations { get; init; } = 500;

    /// <summary>
    /// When a chunk ends a phase, the next phase (octave, scale) may be bigger: assume it costs up
    /// to this many times more per iteration until it has been measured.
    /// </summary>
    [JsonPropertyName("nextPhaseCostAllowance")] public double NextPhaseCostAllowance { get; init; } = 4;
}
