using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>
/// The orchestration's custom status: where the job stands. Small on purpose (it is stored with
/// every orchestration checkpoint and returned by <c>GET /api/jobs/{id}</c>).
/// </summary>
public sealed record JobStatus
{
    [JsonPropertyName("phase")] public required string Phase { get; init; }

    /// <summary>What the engine calls a phase of its work (its descriptor's stage: <c>octave</c>, <c>scale</c>).</summary>
    [JsonPropertyName("stage")] public string? Stage { get; init; }

    /// <summary>1-based octave or scale.</summary>
    [JsonPropertyName("stageIndex")] public int StageIndex { get; init; }

    [JsonPropertyName("stageCount")] public int StageCount { get; init; }

    /// <summary>Iterations done overall.</summary>
    [JsonPropertyName("iteration")] public int Iteration { get; init; }

    [JsonPropertyName("totalIterations")] public int TotalIterations { get; init; }

    [JsonPropertyName("percent")] public double Percent { get; init; }

    [JsonPropertyName("elapsedSeconds")] public double ElapsedSeconds { get; init; }

    /// <summary>Estimated seconds left, from the work done so far (null until a chunk has run).</summary>
    [JsonPropertyName("remainingSeconds")] public double? RemainingSeconds { get; init; }

    [JsonPropertyName("chunks")] public int Chunks { get; init; }

    [JsonPropertyName("preview")] public BlobRef? Preview { get; init; }

    [JsonPropertyName("result")] public BlobRef? Result { get; init; }

    [JsonPropertyName("error")] public JobError? Error { get; init; }
}

public static class JobPhases
{
    /// <summary>Waiting for an admission slot (inbox jobs beyond the running cap).</summary>
    public const string Queued = "queued";
    public const string Preparing = "preparing";
    public const string Running = "running";
    public const string Finalizing = "finalizing";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>Why a job failed, and which input or parameter it was about (null when not about one).</summary>
public sealed record JobError(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("retriable")] bool Retriable);

/// <summary>The orchestration's output when the job completed.</summary>
public sealed record JobOutcome
{
    /// <summary>The picture of an engine whose only output is one image; null for sequences (see <see cref="Outputs"/>).</summary>
    [JsonPropertyName("result")] public BlobRef? Result { get; init; }
    [JsonPropertyName("preview")] public BlobRef? Preview { get; init; }
    [JsonPropertyName("manifest")] public BlobRef? Manifest { get; init; }
    /// <summary>Every declared output by name (<see cref="JobManifest.Outputs"/>).</summary>
    [JsonPropertyName("outputs")] public IReadOnlyDictionary<string, JobOutput>? Outputs { get; init; }
    /// <summary>Set when the engine could not make an output: the job fails with this reason.</summary>
    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JobError? Error { get; init; }
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("height")] public int Height { get; init; }
    [JsonPropertyName("iterations")] public int Iterations { get; init; }
    [JsonPropertyName("chunks")] public int Chunks { get; init; }
    [JsonPropertyName("elapsedSeconds")] public double ElapsedSeconds { get; init; }
}
