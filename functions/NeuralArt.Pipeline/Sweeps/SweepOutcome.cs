using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>The sweep orchestration's output: every cell's outcome and the contact sheet.</summary>
public sealed record SweepOutcome
{
    [JsonPropertyName("cells")] public required IReadOnlyList<SweepCellOutcome> Cells { get; init; }

    [JsonPropertyName("sheet")] public BlobRef? Sheet { get; init; }

    [JsonPropertyName("layout")] public BlobRef? Layout { get; init; }
}
