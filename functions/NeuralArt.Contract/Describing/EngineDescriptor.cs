using System.Text.Json.Serialization;

namespace NeuralArt.Contract;

/// <summary>
/// What an engine publishes about itself, so that the pipeline, the HTTP API, the inbox, the CLI and
/// the dashboard never name a kind, a stage or a parameter themselves: its kind, the images it takes
/// by role, what its stages are called (octave, scale), and its parameters with types, defaults,
/// ranges and help. Serialized as is by <c>GET /api/engines</c>.
/// </summary>
public sealed record EngineDescriptor
{
    /// <summary>The job kind, for example <c>dream</c>; also the inbox folder of the kind.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary>A short human title, for forms and listings.</summary>
    [JsonPropertyName("title")] public required string Title { get; init; }

    [JsonPropertyName("description")] public required string Description { get; init; }

    /// <summary>What one phase of the work is called (<c>octave</c>, <c>scale</c>), for progress displays.</summary>
    [JsonPropertyName("stage")] public required string Stage { get; init; }

    /// <summary>The images a job takes, by role; the first is the one the result is made from.</summary>
    [JsonPropertyName("inputs")] public required IReadOnlyList<InputRoleDescriptor> Inputs { get; init; }

    [JsonPropertyName("parameters")] public required IReadOnlyList<ParameterDescriptor> Parameters { get; init; }

    /// <summary>What a job leaves in <c>outputs/{id}/</c>; an engine that makes one picture declares <see cref="OutputDescriptor.Result"/>.</summary>
    [JsonPropertyName("outputs")] public required IReadOnlyList<OutputDescriptor> Outputs { get; init; }

    /// <summary>The single-picture output when that is all the engine makes (job views keep their <c>result</c> link for it), else null.</summary>
    public OutputDescriptor? SingleImage => Outputs is [{ Kind: OutputKinds.Image } only] ? only : null;

    /// <summary>The name of the role a still's result is made from (a photo); engines of other media name theirs (<c>video</c>).</summary>
    public const string SourceRole = "source";

    /// <summary>
    /// The role the job transforms: the first declared input (<see cref="SourceRole"/> for stills, <c>video</c> for
    /// clips). The inbox gives a dropped file this role and the engine receives its bytes as <see cref="ArtworkInputs.Source"/>.
    /// </summary>
    [JsonPropertyName("primaryRole")] public string PrimaryRole => Inputs.Count > 0 ? Inputs[0].Role : SourceRole;

    /// <summary>The descriptor of a role, or null when the engine takes no such input.</summary>
    public InputRoleDescriptor? Role(string role) => Inputs.FirstOrDefault(r => string.Equals(r.Role, role, StringComparison.Ordinal));

    /// <summary>The descriptor of a parameter, or null when the engine has no such parameter.</summary>
    public ParameterDescriptor? Parameter(string name) => Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
}
