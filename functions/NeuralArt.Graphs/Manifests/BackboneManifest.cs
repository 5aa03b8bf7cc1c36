using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuralArt.Graphs.Manifests;

/// <summary>
/// Describes a pretrained backbone CNN: where its ONNX file is, how it expects its input, and the
/// named taps (intermediate tensors) that objectives can read. Lives as JSON in <c>models/</c>.
/// </summary>
public sealed record BackboneManifest
{
    /// <summary>Short name, also the manifest's file name (<c>resnet18</c>).</summary>
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>Backbone ONNX path, relative to the manifest's folder.</summary>
    public required string Backbone { get; init; }

    /// <summary>The backbone's image input; null takes the first graph input that is not an initializer.</summary>
    public string? Input { get; init; }

    /// <summary>Residual backbones get style-feature smoothing by default (Wang et al., CVPR 2021).</summary>
    public bool Residual { get; init; }

    /// <summary>Rewrite asymmetric (CNTK-style) pads as symmetric ones so any input size works.</summary>
    public bool SymmetricPads { get; init; }

    public PreprocessingSpec Preprocessing { get; init; } = new();

    /// <summary>Tap name (for example <c>layer3</c>) to ONNX tensor name.</summary>
    public required IReadOnlyDictionary<string, string> Taps { get; init; }

    public RecommendedTaps Recommended { get; init; } = new();

    /// <summary>Folder the manifest was read from; backbone paths resolve against it.</summary>
    [JsonIgnore]
    public string? Directory { get; init; }

    [JsonIgnore]
    public string BackbonePath => Path.GetFullPath(Path.Combine(Directory ?? ".", Backbone));

    /// <summary>Resolves a tap name to its ONNX tensor, with a clear error naming the known taps.</summary>
    public string ResolveTap(string tap) =>
        Taps.TryGetValue(tap, out var tensor)
            ? tensor
            : throw new GraphCompilationException(
                $"Unknown tap '{tap}' for backbone '{Name}'. Known taps: {string.Join(", ", Taps.Keys)}.");

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Descriptions are prose for people: keep quotes and apostrophes readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the manifest as the JSON <see cref="Load"/> reads.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, WriteOptions) + Environment.NewLine);

    public static BackboneManifest Load(string path)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<BackboneManifest>(File.ReadAllText(path), JsonOptions)
                ?? throw new GraphCompilationException($"Manifest '{path}' is empty.");
            return manifest with { Directory = Path.GetDirectoryName(Path.GetFullPath(path)) };
        }
        catch (JsonException ex)
        {
            throw new GraphCompilationException($"Manifest '{path}' is not valid: {ex.Message}", ex);
        }
    }
}

/// <summary>
/// How the backbone expects pixels: <c>x' = (x[channelOrder] * Scale - Mean) / Std</c>, where the
/// compiled graphs take RGB in [0,1]. Mean and Std are in the backbone's channel order.
/// </summary>
public sealed record PreprocessingSpec
{
    public string ChannelOrder { get; init; } = "RGB";
    public float Scale { get; init; } = 1f;
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    public float[] Std { get; init; } = [1f, 1f, 1f];
}

/// <summary>Tap weights that work well for each objective on this backbone.</summary>
public sealed record RecommendedTaps
{
    public IReadOnlyDictionary<string, float> Dream { get; init; } = new Dictionary<string, float>();
    public IReadOnlyDictionary<string, float> Style { get; init; } = new Dictionary<string, float>();
    public IReadOnlyDictionary<string, float> Content { get; init; } = new Dictionary<string, float>();
}
