using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary><c>outputs/{sweepId}/sheet.json</c>: the contact sheet's size, its axes, and where each cell is drawn.</summary>
public sealed record SheetLayout
{
    [JsonPropertyName("sweep")] public required string Sweep { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("sheet")] public required BlobRef Sheet { get; init; }
    [JsonPropertyName("width")] public int Width { get; init; }
    [JsonPropertyName("height")] public int Height { get; init; }
    [JsonPropertyName("columns")] public int Columns { get; init; }
    [JsonPropertyName("rows")] public int Rows { get; init; }
    [JsonPropertyName("axes")] public required IReadOnlyList<SweepAxis> Axes { get; init; }
    [JsonPropertyName("cells")] public required IReadOnlyList<SheetCell> Cells { get; init; }
}

/// <summary>One cell on the sheet: its job, axis values, status, and the rectangles of its picture and its label strip.</summary>
public sealed record SheetCell(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("values")] IReadOnlyDictionary<string, string> Values,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BlobRef? Result,
    [property: JsonPropertyName("picture")] SheetRect Picture,
    [property: JsonPropertyName("label")] SheetRect Label);

/// <summary>A rectangle on the sheet, in pixels from the top left.</summary>
public sealed record SheetRect(
    [property: JsonPropertyName("x")] int X,
    [property: JsonPropertyName("y")] int Y,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height);
