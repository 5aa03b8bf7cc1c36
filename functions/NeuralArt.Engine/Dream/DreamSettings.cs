using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralArt.Contract;
using NeuralArt.Engine.Common;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Dream;

/// <summary>
/// The DeepDream parameters of a job (JSON, camelCase). The defaults give a recognisable dream
/// (eyes, fur, animal faces) on a photo at ResNet-18's <c>layer3</c>: four octaves 1.4 apart, ten
/// steps each, every step moving pixels by <see cref="Step"/> on average.
/// </summary>
public sealed record DreamSettings
{
    public const int DefaultOctaves = 4;
    public const float DefaultOctaveScale = 1.4f;
    public const int DefaultIterations = 10;
    public const float DefaultStep = 0.01f;
    public const int DefaultJitter = 32;
    public const int DefaultTileSize = 1024;
    public const int DefaultMaxSize = 1024;
    public const int DefaultGuideSize = 384;

    // Validation bounds: generous, but they keep a typo from asking for a week of compute.
    public const int MaxOctaves = 12;
    public const float MaxOctaveScale = 4f;
    public const int MaxIterations = 1000;
    public const float MaxStep = 1f;
    public const int MaxJitter = 512;
    public const int MinTileSize = 64;
    public const int MaxTileSize = 4096;
    /// <summary>Smallest working size: below this the deepest taps have no spatial extent left.</summary>
    public const int MinImageSide = 32;
    public const int MaxImageSide = 8192;

    /// <summary>Backbone manifest name in the models folder; null uses the engine's default (<see cref="EngineOptions.Model"/>).</summary>
    public string? Model { get; init; }

    /// <summary>Taps and weights, <c>layer3</c> or <c>layer3:1,layer4:0.5</c>; null takes the model's recommended dream taps.</summary>
    public string? Layers { get; init; }

    /// <summary>Optional channel subset of the taps to amplify (null: all channels).</summary>
    public int[]? Channels { get; init; }

    public int Octaves { get; init; } = DefaultOctaves;

    /// <summary>Size ratio between consecutive octaves (&gt; 1).</summary>
    public float OctaveScale { get; init; } = DefaultOctaveScale;

    /// <summary>Gradient steps per octave.</summary>
    public int Iterations { get; init; } = DefaultIterations;

    /// <summary>Step size: the gradient is divided by its mean absolute value, so this is the mean change per pixel (image in [0,1]).</summary>
    public float Step { get; init; } = DefaultStep;

    /// <summary>Largest random shift (pixels) applied before each step and undone after it.</summary>
    public int Jitter { get; init; } = DefaultJitter;

    /// <summary>Images with a side larger than this are processed in tiles of at most this size.</summary>
    public int TileSize { get; init; } = DefaultTileSize;

    /// <summary>The input is scaled down so its longer side is at most this (never scaled up).</summary>
    public int MaxSize { get; init; } = DefaultMaxSize;

    /// <summary>A guide image is scaled down to this longer side before its features are taken.</summary>
    public int GuideSize { get; init; } = DefaultGuideSize;

    /// <summary>Random seed for the jitter; null picks one (the checkpoint records it).</summary>
    public long? Seed { get; init; }

    /// <summary>The taps parsed from <see cref="Layers"/>, or <paramref name="recommended"/> (the manifest's dream taps) when it is null.</summary>
    public IReadOnlyList<TapWeight> Taps(IReadOnlyDictionary<string, float> recommended) =>
        Layers is null ? recommended.Select(kv => new TapWeight(kv.Key, kv.Value)).ToList() : TapWeights.Parse(Layers);

    /// <summary>
    /// The rules <see cref="DreamSchema"/> cannot state (its ranges, types and choices are checked by
    /// <see cref="DescriptorCheck"/> at the door, in the plan and at the start): the layer list parses,
    /// and no channel is listed twice. Throws <see cref="InvalidArtworkInputException"/> naming the field.
    /// </summary>
    public DreamSettings Validate()
    {
        if (Layers is not null) _ = TapWeights.Parse(Layers);
        if (Channels is { } channels && channels.Distinct().Count() != channels.Length) Fail(DreamSchema.Channels, "A channel is listed twice.");
        return this;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads settings from JSON (empty means all defaults) and validates them.</summary>
    public static DreamSettings FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new DreamSettings().Validate();
        DreamSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize<DreamSettings>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "parameters";
            throw new InvalidArtworkInputException($"Dream parameters are not valid: {ex.Message}", field, ex);
        }
        return (settings ?? new DreamSettings()).Validate();
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    private static void Fail(string field, string message) => throw new InvalidArtworkInputException(message, field);
}
