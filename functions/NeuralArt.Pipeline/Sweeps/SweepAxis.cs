using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>One axis of a sweep: a parameter of the engine and its values, each kept as its JSON text.</summary>
public sealed record SweepAxis(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("values")] IReadOnlyList<string> Values)
{
    /// <summary>A value as people read it: a JSON string without its quotes, anything else as written.</summary>
    public static string Label(string json) =>
        JsonNode.Parse(json) is JsonValue v && v.TryGetValue<string>(out var text) ? text : json;
}
