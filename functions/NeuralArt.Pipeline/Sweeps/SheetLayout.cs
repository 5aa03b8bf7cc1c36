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
