using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralArt.Contract;

/// <summary>
/// Checks a job's parameters (a JSON object) against an engine's <see cref="ParameterDescriptor"/>s
/// before anything else reads them: unknown names, types, ranges, choices, lengths and control
/// characters, each refused with an <see cref="InvalidArtworkInputException"/> naming the parameter.
/// Engines then only check what relates several parameters or the inputs.
/// </summary>
public static class ParameterSchema
{
    /// <summary>Parses <paramref name="json"/> (empty means <c>{}</c>) and checks it; returns the object.</summary>
    public static JsonObject Parse(string? json, IReadOnlyList<ParameterDescriptor> parameters)
    {
        JsonNode? node;
        try
        {
            node = string.IsNullOrWhiteSpace(json) ? new JsonObject() : JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidArtworkInputException($"The parameters are not valid JSON: {e.Message}", "parameters", e);
        }

        if (node is not JsonObject values)
        {
            throw new InvalidArtworkInputException("The parameters must be a JSON object.", "parameters");
        }

        Check(values, parameters);
        return values;
    }

    /// <summary>Checks every member of <paramref name="values"/>; a JSON null means "the default".</summary>
    public static void Check(JsonObject values, IReadOnlyList<ParameterDescriptor> parameters)
    {
        foreach (var (name, value) in values)
        {
            var descriptor = parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
                ?? throw new InvalidArtworkInputException(
                    $"There is no parameter '{Printable(name)}'. Known parameters: {string.Join(", ", parameters.Select(p => p.Name))}.", Printable(name));
            if (value is null) continue;
            CheckValue(descriptor, value);
        }
    }

    private static void CheckValue(ParameterDescriptor p, JsonNode value)
    {
        switch (p.Type)
        {
            case ParameterTypes.Integer:
                CheckNumber(p, value, integer: true, p.Name);
                break;
            case ParameterTypes.Number:
                CheckNumber(p, value, integer: false, p.Name);
                break;
            case ParameterTypes.String:
                CheckString(p, value);
                break;
            case ParameterTypes.Choice:
                var choice = CheckString(p, value);
                if (p.Choices is { } choices && !choices.Contains(choice, StringComparer.Ordinal))
                {
                    Fail(p.Name, $"{p.Name} must be one of {string.Join(", ", choices)} (got '{Printable(choice)}').");
                }
                break;
            case ParameterTypes.IntegerList or ParameterTypes.NumberList:
                if (value is not JsonArray items) { Fail(p.Name, $"{p.Name} must be a JSON array of {ItemNoun(p)}."); return; }
                if (items.Count == 0) Fail(p.Name, $"{p.Name} is empty; leave it out for the default.");
                if (p.MaxLength is { } most && items.Count > most) Fail(p.Name, $"{p.Name} has {items.Count} items; at most {most} are allowed.");
                foreach (var item in items)
                {
                    if (item is null) Fail(p.Name, $"{p.Name} has a null item.");
                    CheckNumber(p, item!, integer: p.Type == ParameterTypes.IntegerList, p.Name);
                }
                break;
            default:
                throw new InvalidOperationException($"Parameter '{p.Name}' has an unknown type '{p.Type}'.");
        }
    }

    private static void CheckNumber(ParameterDescriptor p, JsonNode value, bool integer, string field)
    {
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<double>(out var number))
        {
            Fail(field, $"{field} must be {(integer ? "a whole number" : "a number")} (got {Describe(value)}).");
            return;
        }

        if (!double.IsFinite(number)) Fail(field, $"{field} must be finite.");
        if (integer && (number != Math.Floor(number) || !v.TryGetValue<long>(out _)))
        {
            Fail(field, $"{field} must be a whole number (got {number.ToString(CultureInfo.InvariantCulture)}).");
        }

        var below = p.Minimum is { } min && (p.ExclusiveMinimum ? number <= min : number < min);
        var above = p.Maximum is { } max && number > max;
        if (below || above) Fail(field, $"{field} must be {RangeText(p)} (got {number.ToString(CultureInfo.InvariantCulture)}).");
    }

    private static string CheckString(ParameterDescriptor p, JsonNode value)
    {
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
        {
            Fail(p.Name, $"{p.Name} must be a string (got {Describe(value)}).");
            return "";
        }

        var text = v.GetValue<string>();
        if (p.MaxLength is { } most && text.Length > most) Fail(p.Name, $"{p.Name} is {text.Length} characters long; at most {most} are allowed.");
        if (text.Any(char.IsControl)) Fail(p.Name, $"{p.Name} contains a control character.");
        return text;
    }

    /// <summary>The range in words, for messages and help: "from 1 to 12", "above 1 and at most 4".</summary>
    public static string RangeText(ParameterDescriptor p)
    {
        string F(double x) => x.ToString("G", CultureInfo.InvariantCulture);
        return (p.Minimum, p.Maximum) switch
        {
            ({ } min, { } max) => p.ExclusiveMinimum ? $"above {F(min)} and at most {F(max)}" : $"from {F(min)} to {F(max)}",
            ({ } min, null) => p.ExclusiveMinimum ? $"above {F(min)}" : $"at least {F(min)}",
            (null, { } max) => $"at most {F(max)}",
            _ => "any value",
        };
    }

    private static string ItemNoun(ParameterDescriptor p) => p.Type == ParameterTypes.IntegerList ? "whole numbers" : "numbers";

    private static string Describe(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        _ => "null",
    };

    /// <summary>Names echoed in messages lose control characters and are cut short (they come from callers).</summary>
    public static string Printable(string text)
    {
        const int MaxEcho = 64;
        var clean = new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length <= MaxEcho ? clean : clean[..MaxEcho] + "…";
    }

    private static void Fail(string field, string message) => throw new InvalidArtworkInputException(message, field);
}
