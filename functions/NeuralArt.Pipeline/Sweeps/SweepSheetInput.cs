using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>What the sheet activity draws: the sweep, its request (axes, cells) and how each cell ended.</summary>
public sealed record SweepSheetInput(
    [property: JsonPropertyName("sweepId")] string SweepId,
    [property: JsonPropertyName("request")] SweepRequest Request,
    [property: JsonPropertyName("cells")] IReadOnlyList<SweepCellOutcome> Cells);
