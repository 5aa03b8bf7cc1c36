using System.Text.Json.Serialization;

namespace NeuralArt.Contract;

/// <summary>
/// One kind of image a job takes: its role (<c>source</c>, <c>style</c>, <c>guide</c>, <c>init</c>,
/// <c>mask</c>), how many (<see cref="Min"/>..<see cref="Max"/>, in order where there are several),
/// and whether a bare name refers to an image of a named <see cref="Library"/> (style images).
/// </summary>
public sealed record InputRoleDescriptor
{
    [JsonPropertyName("role")] public required string Role { get; init; }

    [JsonPropertyName("min")] public int Min { get; init; }

    [JsonPropertyName("max")] public int Max { get; init; } = 1;

    [JsonPropertyName("help")] public required string Help { get; init; }

    /// <summary>The media types a file picker offers for this role (an HTML <c>accept</c> list); the door still checks the bytes.</summary>
    [JsonPropertyName("accept")] public string Accept { get; init; } = ImagesAccepted;

    /// <summary>What most roles take: any image (the door reads the header and refuses what it cannot decode).</summary>
    public const string ImagesAccepted = "image/*";

    /// <summary>
    /// When set, a bare name (no <c>/</c>) names an image of this library, for example
    /// <c>starry-night</c> in the <c>styles</c> library; the host maps libraries to storage.
    /// </summary>
    [JsonPropertyName("library"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Library { get; init; }
}
