using System.Text.Json.Nodes;

namespace NeuralArt.Contract;

/// <summary>
/// The one check of a job against its engine's <see cref="EngineDescriptor"/>: input roles and their
/// counts, then every parameter's type, range, choice and length (<see cref="ParameterSchema"/>).
/// The door, an engine's plan and its start all call this, so a rule declared in the descriptor is
/// enforced the same way everywhere; engines keep only the rules that tie several fields together.
/// </summary>
public static class DescriptorCheck
{
    /// <summary>Checks roles and parameters; returns the parameters as a JSON object.</summary>
    public static JsonObject Check(EngineDescriptor descriptor, IEnumerable<string> roles, string? parametersJson)
    {
        Roles(descriptor, roles);
        return ParameterSchema.Parse(parametersJson, descriptor.Parameters);
    }

    /// <summary>Every role is one the engine takes, and each is given as many times as it allows.</summary>
    public static void Roles(EngineDescriptor descriptor, IEnumerable<string> roles)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var role in roles)
        {
            if (descriptor.Role(role) is null)
            {
                var name = ParameterSchema.Printable(role);
                throw new InvalidArtworkInputException(
                    $"A {descriptor.Kind} job takes no '{name}' input; its inputs are {string.Join(", ", descriptor.Inputs.Select(r => r.Role))}.", name);
            }

            counts[role] = counts.GetValueOrDefault(role) + 1;
        }

        foreach (var role in descriptor.Inputs)
        {
            var count = counts.GetValueOrDefault(role.Role);
            if (count < role.Min || count > role.Max)
            {
                var expected = role.Min == role.Max ? $"{role.Min}" : $"{role.Min} to {role.Max}";
                throw new InvalidArtworkInputException($"A {descriptor.Kind} job takes {expected} '{role.Role}' input(s); got {count}. {role.Help}", role.Role);
            }
        }
    }
}
