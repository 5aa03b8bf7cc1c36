using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>
/// The body of <c>POST /api/sweeps</c>: a job as for <c>POST /api/jobs</c> plus its axes, each a
/// parameter of the engine's descriptor and the values it takes:
/// <code>{ "kind": "&lt;kind&gt;", "inputs": { … }, "parameters": { … }, "axes": { "&lt;parameter&gt;": [1e4, 1e5], "&lt;another&gt;": [1, 2] } }</code>
/// The cells are the product of the axes (the first axis varies fastest).
/// </summary>
public sealed record SweepSubmission
{
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    [JsonPropertyName("inputs")] public JsonObject? Inputs { get; init; }

    /// <summary>Parameters every cell shares; a parameter that is an axis may not be given here too.</summary>
    [JsonPropertyName("parameters")] public JsonNode? Parameters { get; init; }

    /// <summary>Parameter name -> the values it takes (a JSON array, at least one value).</summary>
    [JsonPropertyName("axes")] public JsonNode? Axes { get; init; }

    [JsonPropertyName("chunkBudgetSeconds")] public double? ChunkTimeBudgetSeconds { get; init; }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
