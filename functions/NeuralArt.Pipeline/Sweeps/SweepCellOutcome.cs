using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>How one cell ended: <c>completed</c> with its result and preview, or <c>failed</c> with the reason.</summary>
public sealed record SweepCellOutcome(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BlobRef? Result,
    [property: JsonPropertyName("preview"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BlobRef? Preview,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);
