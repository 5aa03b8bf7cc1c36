using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary><c>outputs/{id}/job.json</c>: what was made, from what, with which parameters, how long it took, and where.</summary>
public sealed record JobManifest
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("origin")] public required string Origin { get; init; }
    [JsonPropertyName("source")] public required BlobRef Source { get; init; }
    [JsonPropertyName("style")] public BlobRef? Style { get; init; }
    [JsonPropertyName("sidecar")] public BlobRef? Sidecar { get; init; }
    [JsonPropertyName("parameters")] public JsonNode? Parameters { get; init; }
    [JsonPropertyName("result")] public required BlobRef Result { get; init; }
    [JsonPropertyName("preview")] public required BlobRef Preview { get; init; }
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("height")] public int Height { get; init; }
    [JsonPropertyName("iterations")] public int Iterations { get; init; }
    [JsonPropertyName("chunks")] public int Chunks { get; init; }
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
    [property: JsonPropertyName("host")] string Host);

/// <summary><c>outputs/{id}/error.json</c>: why a job failed.</summary>
public sealed record JobErrorManifest
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("origin")] public required string Origin { get; init; }
    [JsonPropertyName("source")] public required BlobRef Source { get; init; }
    [JsonPropertyName("reason")] public required string Reason { get; init; }
    [JsonPropertyName("field")] public string? Field { get; init; }
    [JsonPropertyName("phase")] public required string Phase { get; init; }
    [JsonPropertyName("retriable")] public bool Retriable { get; init; }
    [JsonPropertyName("failedAt")] public DateTimeOffset FailedAt { get; init; }
}
