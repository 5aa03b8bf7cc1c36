using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Http;

/// <summary>A job as <c>GET /api/jobs/{id}</c> (and the list) returns it.</summary>
public sealed record JobView
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("origin")] public string? Origin { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("style")] public string? Style { get; init; }

    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("lastUpdatedAt")] public DateTimeOffset LastUpdatedAt { get; init; }
    [JsonPropertyName("progress")] public JobStatus? Progress { get; init; }

    [JsonPropertyName("preview"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobLink? Preview { get; init; }
    [JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobLink? Result { get; init; }
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

/// <summary>The 202 body of <c>POST /api/jobs</c>.</summary>
public sealed record JobAccepted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] bool Created,
    [property: JsonPropertyName("statusQueryGetUri")] Uri StatusQueryGetUri,
    [property: JsonPropertyName("cancelPostUri")] Uri CancelPostUri);

public sealed record JobList([property: JsonPropertyName("jobs")] IReadOnlyList<JobView> Jobs);
