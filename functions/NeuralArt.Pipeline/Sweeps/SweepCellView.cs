using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>One cell of a sweep: its position, axis values (as labels) and its job as <c>GET /api/jobs/{id}</c> shows it.</summary>
public sealed record SweepCellView(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("values")] IReadOnlyDictionary<string, string> Values,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("progress"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JobStatus? Progress,
    [property: JsonPropertyName("preview"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BlobLink? Preview,
    [property: JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BlobLink? Result,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JobError? Error);
