using System.Text.Json.Serialization;

namespace NeuralArt.Contract;

/// <summary>
/// One output a job of the engine leaves in <c>outputs/{id}/</c>: its name (the key in job.json's
/// <c>outputs</c>), what it is (<see cref="OutputKinds"/>), its formats, and its file: a name for
/// single files, none for frames (which are <see cref="FrameNames.File"/>). Hosts list and link
/// outputs from these declarations alone, so a new engine's outputs need no pipeline change.
/// </summary>
public sealed record OutputDescriptor
{
    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary>File formats by extension (<c>png</c>, <c>gif</c>, <c>mp4</c>).</summary>
    [JsonPropertyName("formats")] public required IReadOnlyList<string> Formats { get; init; }

    /// <summary>The file under <c>outputs/{id}/</c> of a single-file output; null for <see cref="OutputKinds.Frames"/>.</summary>
    [JsonPropertyName("file"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? File { get; init; }

    [JsonPropertyName("help")] public required string Help { get; init; }

    /// <summary>The output of an engine that makes one picture: <c>result.png</c>.</summary>
    public static OutputDescriptor Result { get; } = new()
    {
        Name = "result",
        Kind = OutputKinds.Image,
        Formats = ["png"],
        File = "result.png",
        Help = "The finished picture.",
    };
}
