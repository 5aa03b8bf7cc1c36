using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>One cell on the sheet: its job, axis values, status, and the rectangles of its picture and its label strip.</summary>
public sealed record SheetCell(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("values")] IReadOnlyDictionary<string, string> Values,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BlobRef? Result,
    [property: JsonPropertyName("picture")] SheetRect Picture,
    [property: JsonPropertyName("label")] SheetRect Label);
