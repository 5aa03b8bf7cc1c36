using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NeuralArt.Contract;

/// <summary>
/// One engine parameter: its JSON name, type (<see cref="ParameterTypes"/>), default, range and help.
/// The same record drives the check at the door (<see cref="ParameterSchema"/>), the dashboard's form
/// and the CLI's help, so the three never disagree. For lists the range applies to every item.
/// </summary>
public sealed record ParameterDescriptor
{
    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("type")] public required string Type { get; init; }

    [JsonPropertyName("help")] public required string Help { get; init; }

    /// <summary>The value used when the request leaves the parameter out; null when it has none (drawn or resolved at plan time).</summary>
    [JsonPropertyName("default")] public JsonNode? Default { get; init; }

    [JsonPropertyName("minimum"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Minimum { get; init; }

    /// <summary>True when the value must be strictly above <see cref="Minimum"/>.</summary>
    [JsonPropertyName("exclusiveMinimum"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool ExclusiveMinimum { get; init; }

    [JsonPropertyName("maximum"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Maximum { get; init; }

    /// <summary>The allowed values of a <see cref="ParameterTypes.Choice"/>.</summary>
    [JsonPropertyName("choices"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>Longest string, or most items of a list.</summary>
    [JsonPropertyName("maxLength"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? MaxLength { get; init; }

    /// <summary>Rarely changed: forms may fold it away.</summary>
    [JsonPropertyName("advanced"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Advanced { get; init; }
}
