using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NeuralArt.Contract;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Dream;

namespace NeuralArt.Engine.Zoom;

/// <summary>
/// A zoom job's parameters (JSON, camelCase, as <see cref="ZoomSchema"/> describes them): the
/// motion between frames, the animation, and the dream each frame gets. Ranges are the schema's,
/// checked by <see cref="DescriptorCheck"/> before these are read, so nothing here repeats them.
/// </summary>
public sealed record ZoomSettings
{
    public int Frames { get; init; } = ZoomSchema.DefaultFrames;

    public double Zoom { get; init; } = ZoomSchema.DefaultZoom;

    public double Rotate { get; init; } = ZoomSchema.DefaultRotate;

    public double ShiftX { get; init; } = ZoomSchema.DefaultShift;

    public double ShiftY { get; init; } = ZoomSchema.DefaultShift;

    public int Fps { get; init; } = ZoomSchema.DefaultFps;

    public string Animations { get; init; } = ZoomAnimations.Default;

    public string? Model { get; init; }

    public string? Layers { get; init; }

    public int Octaves { get; init; } = ZoomSchema.DefaultOctaves;

    public float OctaveScale { get; init; } = DreamSettings.DefaultOctaveScale;

    public int Iterations { get; init; } = ZoomSchema.DefaultIterations;

    public float Step { get; init; } = DreamSettings.DefaultStep;

    public int Jitter { get; init; } = DreamSettings.DefaultJitter;

    public int MaxSize { get; init; } = ZoomSchema.DefaultMaxSize;

    /// <summary>The job's seed; each frame's dream uses <see cref="FrameSeed"/>. Null until drawn.</summary>
    public long? Seed { get; init; }

    /// <summary>Gradient steps of one frame's dream.</summary>
    [JsonIgnore]
    public int FrameIterations => Octaves * Iterations;

    [JsonIgnore]
    public ZoomMotion Motion => new(Zoom, Rotate, ShiftX, ShiftY);

    /// <summary>
    /// Frame <paramref name="frame"/>'s seed, derived from the job's: two SplitMix64 draws (one from
    /// the job's seed, one from that plus the frame number), so neighbouring frames get unrelated
    /// jitter and any frame's seed is known without the ones before it.
    /// </summary>
    public long FrameSeed(int frame)
    {
        var seed = Seed ?? throw new InvalidOperationException("The zoom's seed is drawn before its frames are dreamed.");
        var job = new SplitMix64((ulong)seed);
        var mixed = new SplitMix64(unchecked(job.NextUInt64() + (ulong)frame));
        // Seeds are non-negative 64-bit integers (DreamSchema): drop the top bit.
        return (long)(mixed.NextUInt64() >> 1);
    }

    /// <summary>The dream settings of frame <paramref name="frame"/>: the job's dream parameters with the frame's seed (none before the job's is drawn).</summary>
    public DreamSettings Dream(int? frame = null) => new DreamSettings
    {
        Model = Model,
        Layers = Layers,
        Octaves = Octaves,
        OctaveScale = OctaveScale,
        Iterations = Iterations,
        Step = Step,
        Jitter = Jitter,
        MaxSize = MaxSize,
        Seed = frame is { } k ? FrameSeed(k) : null,
    }.Validate();

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Reads parameters that passed <see cref="DescriptorCheck"/>; a JSON null means the default.
    /// With <paramref name="described"/> (the descriptor's parameters, narrowed to the host's caps) a
    /// parameter left out takes the descriptor's default, so a plan does what the descriptor says.
    /// </summary>
    public static ZoomSettings From(JsonObject parameters, IReadOnlyList<ParameterDescriptor>? described = null)
    {
        var given = new JsonObject();
        foreach (var descriptor in described ?? [])
        {
            if (descriptor.Default is { } value) given[descriptor.Name] = value.DeepClone();
        }
        foreach (var (name, value) in parameters)
        {
            if (value is not null) given[name] = value.DeepClone();
        }
        try
        {
            return given.Deserialize<ZoomSettings>(JsonOptions) ?? new ZoomSettings();
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "parameters";
            throw new InvalidArtworkInputException($"Zoom parameters are not valid: {ex.Message}", field, ex);
        }
    }

    /// <summary>Reads a parameters text that passed <see cref="DescriptorCheck"/> (or settings this type wrote); empty means all defaults.</summary>
    public static ZoomSettings FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new ZoomSettings();
        try
        {
            return From(JsonNode.Parse(json) as JsonObject ?? throw new InvalidArtworkInputException("The parameters must be a JSON object.", "parameters"));
        }
        catch (JsonException ex)
        {
            throw new InvalidArtworkInputException($"The parameters are not valid JSON: {ex.Message}", "parameters", ex);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
