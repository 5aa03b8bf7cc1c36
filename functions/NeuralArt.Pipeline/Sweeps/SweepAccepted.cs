using System.Text.Json.Serialization;
using NeuralArt.Contract;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>The 202 body of <c>POST /api/sweeps</c>: where to follow the sweep, its cells' job IDs and values, and the cost of them all.</summary>
public sealed record SweepAccepted(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("statusQueryGetUri")] Uri StatusQueryGetUri,
    [property: JsonPropertyName("cancelPostUri")] Uri CancelPostUri,
    [property: JsonPropertyName("axes")] IReadOnlyList<SweepAxis> Axes,
    [property: JsonPropertyName("cells")] IReadOnlyList<SweepCellView> Cells,
    [property: JsonPropertyName("cost")] JobCost Cost);
