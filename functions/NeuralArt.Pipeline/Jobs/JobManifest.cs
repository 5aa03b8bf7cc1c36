using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary><c>outputs/{id}/job.json</c>: what was made, from what, with which parameters, how long it took, and where.</summary>
public sealed record JobManifest
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("origin")] public required string Origin { get; init; }
    /// <summary>The sweep this job is a cell of (<c>GET /api/sweeps/{id}</c>); absent for a single job.</summary>
    [JsonPropertyName("sweep"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sweep { get; init; }
    /// <summary>The input images by role, in order.</summary>
    [JsonPropertyName("inputs")] public required IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Inputs { get; init; }
    /// <summary>The effective parameters (seed, model, taps resolved): submitting them again with the same inputs reproduces the result on the CPU.</summary>
    [JsonPropertyName("parameters")] public JsonNode? Parameters { get; init; }
    [JsonPropertyName("cost")] public JobCost? Cost { get; init; }
    /// <summary>The picture, for engines whose one output is an image (clients of a still read this).</summary>
    [JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobRef? Result { get; init; }
    /// <summary>Every output the engine declares, by name, with its blobs (and frame count for a sequence).</summary>
    [JsonPropertyName("outputs")] public IReadOnlyDictionary<string, JobOutput> Outputs { get; init; } = new Dictionary<string, JobOutput>();
    [JsonPropertyName("preview")] public required BlobRef Preview { get; init; }
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("height")] public int Height { get; init; }
    [JsonPropertyName("iterations")] public int Iterations { get; init; }
    [JsonPropertyName("chunks")] public int Chunks { get; init; }
    /// <summary>Each chunk as it ran: iterations, the host or worker that ran it, when, for how long.</summary>
    [JsonPropertyName("chunkRuns")] public IReadOnlyList<ChunkRun> ChunkRuns { get; init; } = [];
    [JsonPropertyName("timings")] public required JobTimings Timings { get; init; }
    [JsonPropertyName("engine")] public required EngineDescription Engine { get; init; }
}

public sealed record JobTimings(
    [property: JsonPropertyName("submittedAt")] DateTimeOffset SubmittedAt,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("completedAt")] DateTimeOffset CompletedAt,
    [property: JsonPropertyName("elapsedSeconds")] double ElapsedSeconds,
    [property: JsonPropertyName("computeSeconds")] double ComputeSeconds);

/// <summary>
/// Which engine made the image: the model (the job's <c>model</c> parameter, else the engine's
/// default) and the execution provider the engine reports; the pipeline itself knows nothing of ONNX.
/// </summary>
public sealed record EngineDescription(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("versions")] IReadOnlyDictionary<string, string>? Versions = null);

/// <summary>The inputs of a request grouped by role, for job.json and error.json.</summary>
public static class JobInputs
{
    public static IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> ByRole(IEnumerable<JobInput> inputs) =>
        inputs.GroupBy(i => i.Role, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<BlobRef>)g.Select(i => i.Blob).ToList(), StringComparer.Ordinal);
}

/// <summary><c>outputs/{id}/error.json</c>: why a job failed.</summary>
public sealed record JobErrorManifest
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("origin")] public required string Origin { get; init; }
    [JsonPropertyName("inputs")] public required IReadOnlyDictionary<string, IReadOnlyList<BlobRef>> Inputs { get; init; }
    [JsonPropertyName("reason")] public required string Reason { get; init; }
    [JsonPropertyName("field")] public string? Field { get; init; }
    [JsonPropertyName("phase")] public required string Phase { get; init; }
    [JsonPropertyName("retriable")] public bool Retriable { get; init; }
    [JsonPropertyName("failedAt")] public DateTimeOffset FailedAt { get; init; }
}
