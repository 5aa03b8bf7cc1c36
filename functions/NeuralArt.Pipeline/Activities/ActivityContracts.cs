using System.Text.Json.Serialization;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Activities;

/// <summary>Activity names, shared by the orchestration, the Functions app and the local host.</summary>
public static class ActivityNames
{
    public const string Prepare = "PrepareArtwork";
    public const string RunChunk = "RunArtworkChunk";
    public const string Finalize = "FinalizeArtwork";
    public const string RecordFailure = "RecordArtworkFailure";
    public const string Admit = "AdmitArtworkJob";
    public const string DispatchChunk = "DispatchArtworkChunk";
}

/// <summary>Where a render stands (a serializable copy of <see cref="EngineProgress"/>).</summary>
public sealed record ProgressSnapshot(
    [property: JsonPropertyName("phase")] int Phase,
    [property: JsonPropertyName("phaseCount")] int PhaseCount,
    [property: JsonPropertyName("phaseIteration")] int PhaseIteration,
    [property: JsonPropertyName("phaseIterations")] int PhaseIterations,
    [property: JsonPropertyName("completedIterations")] int CompletedIterations,
    [property: JsonPropertyName("totalIterations")] int TotalIterations,
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("isComplete")] bool IsComplete,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height)
{
    public static ProgressSnapshot From(EngineProgress p) => new(
        p.Phase, p.PhaseCount, p.PhaseIteration, p.PhaseIterations, p.CompletedIterations, p.TotalIterations,
        double.IsFinite(p.Loss) ? p.Loss : 0, p.IsComplete, p.Width, p.Height);

    [JsonIgnore] public CheckpointKey Key => new(CompletedIterations, Phase, PhaseIteration);

    [JsonIgnore] public double Fraction => TotalIterations == 0 ? 1 : (double)CompletedIterations / TotalIterations;

    /// <summary>The current phase's iterations are all done (the next chunk starts a new phase, perhaps a bigger one).</summary>
    [JsonIgnore] public bool AtPhaseEnd => PhaseIteration >= PhaseIterations && !IsComplete;
}

public sealed record PrepareInput(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("request")] JobRequest Request);

/// <summary>Either the first checkpoint, or why the input cannot be used (never retried).</summary>
public sealed record PrepareOutcome(
    [property: JsonPropertyName("checkpoint")] BlobRef? Checkpoint,
    [property: JsonPropertyName("progress")] ProgressSnapshot? Progress,
    [property: JsonPropertyName("error")] JobError? Error);

public sealed record RunChunkInput(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("from")] BlobRef From,
    [property: JsonPropertyName("maxIterations")] int MaxIterations)
{
    /// <summary>Starts of one chunk (crashed workers included) after which the job fails instead of being redelivered.</summary>
    [JsonPropertyName("maxAttempts")] public int MaxAttempts { get; init; } = new RetrySettings().MaxAttempts;
}

/// <summary>A chunk's result: the new checkpoint and what it took.</summary>
public sealed record ChunkOutcome(
    [property: JsonPropertyName("checkpoint")] BlobRef? Checkpoint,
    [property: JsonPropertyName("progress")] ProgressSnapshot? Progress,
    [property: JsonPropertyName("iterationsRun")] int IterationsRun,
    [property: JsonPropertyName("computeSeconds")] double ComputeSeconds,
    [property: JsonPropertyName("resumed")] bool Resumed,
    [property: JsonPropertyName("preview")] BlobRef? Preview,
    [property: JsonPropertyName("error")] JobError? Error);

public sealed record FinalizeInput(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("request")] JobRequest Request,
    [property: JsonPropertyName("checkpoint")] BlobRef Checkpoint,
    [property: JsonPropertyName("parameters")] string EffectiveParametersJson,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("chunks")] int Chunks,
    [property: JsonPropertyName("computeSeconds")] double ComputeSeconds);

public sealed record FailureInput(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("request")] JobRequest Request,
    [property: JsonPropertyName("error")] JobError Error,
    [property: JsonPropertyName("failedAt")] DateTimeOffset FailedAt);
