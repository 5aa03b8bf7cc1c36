using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Http;

/// <summary>A job as <c>GET /api/jobs/{id}</c> (and the list) returns it.</summary>
public sealed record JobView
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("origin")] public string? Origin { get; init; }
    /// <summary>The sweep this job is a cell of (<c>GET /api/sweeps/{id}</c>); absent for a single job.</summary>
    [JsonPropertyName("sweep"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sweep { get; init; }
    /// <summary>The input images by role.</summary>
    [JsonPropertyName("inputs")] public IReadOnlyDictionary<string, IReadOnlyList<string>>? Inputs { get; init; }

    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c>, <c>failed</c> or <c>cancelled</c>; <c>unknown</c> when the job's stored data cannot be read (<see cref="Error"/> says why).</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("lastUpdatedAt")] public DateTimeOffset LastUpdatedAt { get; init; }
    [JsonPropertyName("progress")] public JobStatus? Progress { get; init; }

    [JsonPropertyName("source"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobLink? Source { get; init; }
    [JsonPropertyName("preview"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobLink? Preview { get; init; }
    /// <summary>The picture of an engine whose only output is one image (kept for clients of stills); see <see cref="Outputs"/> for every output.</summary>
    [JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobLink? Result { get; init; }
    /// <summary>Every output of a completed job by name (<c>result</c>; or <c>frames</c>, <c>animation</c>, <c>video</c>, ...).</summary>
    [JsonPropertyName("outputs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, OutputView>? Outputs { get; init; }
    [JsonPropertyName("manifest"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobLink? Manifest { get; init; }
    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JobError? Error { get; init; }

    [JsonPropertyName("links")] public required JobLinks Links { get; init; }
}

/// <summary>A blob and, where it could be made, a short-lived read link (SAS).</summary>
public sealed record BlobLink(
    [property: JsonPropertyName("blob")] string Blob,
    [property: JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Uri? Url);

/// <summary>Durable-style management URLs.</summary>
public sealed record JobLinks(
    [property: JsonPropertyName("statusQueryGetUri")] Uri StatusQueryGetUri,
    [property: JsonPropertyName("cancelPostUri")] Uri CancelPostUri);

/// <summary>The 202 body of <c>POST /api/jobs</c>: where to follow the job, and its plan (effective parameters, stages, cost).</summary>
public sealed record JobAccepted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] bool Created,
    [property: JsonPropertyName("statusQueryGetUri")] Uri StatusQueryGetUri,
    [property: JsonPropertyName("cancelPostUri")] Uri CancelPostUri,
    [property: JsonPropertyName("plan"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PlanView? Plan = null);

/// <summary>A plan as the API returns it: the effective parameters as JSON, the model, the stages, the cost.</summary>
public sealed record PlanView(
    [property: JsonPropertyName("parameters")] System.Text.Json.Nodes.JsonNode? Parameters,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("stages")] IReadOnlyList<NeuralArt.Contract.StageSize> Stages,
    [property: JsonPropertyName("cost")] NeuralArt.Contract.JobCost Cost);

/// <summary>A page of jobs, newest first within the page, and the token of the next page (null at the end).</summary>
public sealed record JobList(
    [property: JsonPropertyName("jobs")] IReadOnlyList<JobView> Jobs,
    [property: JsonPropertyName("continuationToken")] string? ContinuationToken = null);

/// <summary>The body of <c>GET /api/engines</c>: the installed engines' descriptors with this host's caps applied.</summary>
public sealed record EngineList(
    [property: JsonPropertyName("engines")] IReadOnlyList<NeuralArt.Contract.EngineDescriptor> Engines);
