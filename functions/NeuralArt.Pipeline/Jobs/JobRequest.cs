using System.Text.Json.Serialization;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>
/// A validated job: the orchestration's input. Blob references only (the sources are read by the
/// Prepare activity), and the engine parameters as a JSON object text. Property names are fixed
/// so the payload reads the same whichever Durable host serializes it.
/// </summary>
public sealed record JobRequest
{
    /// <summary>The engine's kind (<see cref="NeuralArt.Contract.EngineDescriptor.Kind"/>).</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary>What one phase of the work is called (the engine's descriptor says), for the status.</summary>
    [JsonPropertyName("stage")] public string Stage { get; init; } = "stage";

    /// <summary>The input images by role, checked at the door; the first <c>source</c> is the one the result is made from.</summary>
    [JsonPropertyName("inputs")] public required IReadOnlyList<JobInput> Inputs { get; init; }

    /// <summary>The effective engine parameters (defaults filled, seed drawn) as a JSON object text.</summary>
    [JsonPropertyName("parameters")] public string ParametersJson { get; init; } = "{}";

    /// <summary>The model the plan resolved.</summary>
    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>The cost the plan predicted.</summary>
    [JsonPropertyName("cost")] public JobCost? Cost { get; init; }

    /// <summary>How the job came in: <see cref="JobOrigins"/>.</summary>
    [JsonPropertyName("origin")] public required string Origin { get; init; }

    [JsonPropertyName("submittedAt")] public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>How long the job may run once admitted (host setting, fixed at submission so replays agree).</summary>
    [JsonPropertyName("deadlineSeconds")] public double DeadlineSeconds { get; init; } = TimeSpan.FromHours(6).TotalSeconds;

    /// <summary>How to cut the render into activities; fixed at submission so that replays see the same values.</summary>
    [JsonPropertyName("chunking")] public ChunkingPolicy Chunking { get; init; } = new();

    [JsonPropertyName("retry")] public RetrySettings Retry { get; init; } = new();

    /// <summary>Set when the job's chunks run on queue workers (the queued executor); null: in the RunChunk activity.</summary>
    [JsonPropertyName("queued")] public Chunks.QueuedExecution? Queued { get; init; }

    /// <summary>Chunks an orchestration generation runs before it continues as new.</summary>
    [JsonPropertyName("chunksPerGeneration")] public int ChunksPerGeneration { get; init; } = 16;

    /// <summary>Set when the door refused an inbox job: the orchestration records the failure and ends.</summary>
    [JsonPropertyName("rejection")] public JobError? Rejection { get; init; }

    /// <summary>The job waits for an admission slot (inbox jobs beyond the running cap) before it starts.</summary>
    [JsonPropertyName("awaitAdmission")] public bool AwaitAdmission { get; init; }

    /// <summary>How often a waiting job asks for a slot.</summary>
    [JsonPropertyName("admissionPollSeconds")] public double AdmissionPollSeconds { get; init; } = 10;

    /// <summary>The sweep this job is a cell of (null for a single job); written into its job.json.</summary>
    [JsonPropertyName("sweep"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sweep { get; init; }

    /// <summary>Set when the orchestration continued as new: where the job stands.</summary>
    [JsonPropertyName("resume")] public JobResume? Resume { get; init; }

    /// <summary>The input the job transforms: the door orders inputs by the descriptor's roles, whose first is the primary one.</summary>
    [JsonIgnore] public BlobRef Source => Inputs[0].Blob;
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
