using System.Text.Json;
using System.Text.Json.Serialization;
using NeuralArt.Engine.Common;
using NeuralArt.Contract;
using NeuralArt.Engine.Optimizers;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Style;

/// <summary>How the content image's colours are kept.</summary>
public static class PreserveColorModes
{
    /// <summary>Colours come from the style.</summary>
    public const string None = "none";
    /// <summary>Transfer on luminance only (YIQ), then put the content's chroma back (Gatys et al., 2016).</summary>
    public const string Luminance = "luminance";
    /// <summary>Match each style image's colour mean and covariance to the content's before the transfer.</summary>
    public const string Histogram = "histogram";

    public static readonly IReadOnlyList<string> All = [None, Luminance, Histogram];
}

/// <summary>Where the optimized image starts at the first scale.</summary>
public static class StyleInitModes
{
    public const string Content = "content";
    public const string Noise = "noise";
    /// <summary>An extra input image with role <see cref="NeuralStyleEngine.InitRole"/>.</summary>
    public const string Image = "image";

    public static readonly IReadOnlyList<string> All = [Content, Noise, Image];
}

/// <summary>What happens to a uniform frame around a style image (<see cref="StyleFrame"/>).</summary>
public static class StyleFrameModes
{
    /// <summary>Trimmed before the transfer: a frame is not style, and would be painted along the result's edges.</summary>
    public const string Trim = "trim";
    public const string Keep = "keep";

    public static readonly IReadOnlyList<string> All = [Trim, Keep];
}

/// <summary>Feature smoothing of residual backbones (Wang, Li and Vasconcelos, CVPR 2021).</summary>
public static class SmoothingModes
{
    /// <summary>On for residual backbones (manifest <c>residual: true</c>), off otherwise.</summary>
    public const string Auto = "auto";
    public const string On = "on";
    public const string Off = "off";

    public static readonly IReadOnlyList<string> All = [Auto, On, Off];
}

/// <summary>
/// The parameters of a style transfer job (JSON, camelCase). Loss: <c>styleWeight * sum_l w_l *
/// mean((G_l - T_l)^2) + contentWeight * sum_l w_l * mean((A_l - P_l)^2) + tvWeight * TV</c> with
/// Grams normalized by C*H*W and the tap weights from <see cref="StyleLayers"/> and
/// <see cref="ContentLayers"/> (default: the manifest's recommended taps). The optimized image
/// goes through <see cref="Scales"/> (long side in pixels, coarse to fine), each starting from the
/// previous result upsampled, <see cref="Iterations"/> optimizer iterations at each.
/// </summary>
public sealed record StyleSettings
{
    /// <summary>
    /// Chosen for the Gram normalization by C*H*W, whose style terms are orders of magnitude smaller
    /// than the content term: this weight makes the style dominate at the start and still lets layer3
    /// keep the photo's shapes (the magnitudes measured on the bundled images: docs/style-transfer.md,
    /// "Weights").
    /// </summary>
    public const double DefaultStyleWeight = 1e5;
    public const double DefaultContentWeight = 1;
    /// <summary>Softens the fine grid that ResNet's stride-2 convolutions leave, without blurring strokes.</summary>
    public const double DefaultTvWeight = 10;
    /// <summary>
    /// Penalty on pixels outside [0,1], <c>w * mean(max(0, x-1)^2 + max(0, -x)^2)</c>. The optimizer
    /// works unconstrained, so without it L-BFGS drifts out of range and clamping when saving throws
    /// away style the transfer gained; with it the saved 8-bit image has the optimized losses
    /// (measured: docs/style-transfer.md, "What it does").
    /// </summary>
    public const double DefaultRangeWeight = 1e4;
    public const int DefaultIterations = 200;
    public static readonly int[] DefaultScales = [256, 512];
    public const double DefaultLearningRate = 0.02;
    public const float DefaultStyleScale = 1f;
    public const int DefaultTileSize = 1024;
    public const int DefaultOptimizerMemoryMb = 2048;
    /// <summary>Image-sized vectors L-BFGS holds besides its history (gradient, direction, previous gradient, start, trial, spare pair, line-search buffers).</summary>
    public const int LbfgsFixedVectors = 11;
    /// <summary>
    /// Default smoothing: scale the layer3 and layer4 features by 1e-3 before their Grams (what the
    /// authors' released code does). The paper's softmax over channels at temperature 1 saturates on
    /// this backbone (its deep activations are large enough to make it nearly one-hot) and the image
    /// barely changes; scaling does not saturate. Measurements and the comparison:
    /// docs/style-transfer.md, "Smoothing".
    /// </summary>
    public const string DefaultSmoothingMode = "scale";
    public const float DefaultSmoothingFactor = 1e-3f;
    public const float DefaultSmoothingTemperature = 1f;
    public const string DefaultSmoothingLayers = "layer3,layer4";
    /// <summary>
    /// Reflected margin around the optimized image, as a fraction of its long side (16 px at 256,
    /// 32 px at 512), cropped when rendering: the network's zero padding then borders the margin, not
    /// the picture, whose edges no longer darken (docs/style-transfer.md, "Borders", has the measurements).
    /// </summary>
    public const float DefaultMargin = 0.0625f;
    public const float MaxMargin = 0.25f;
    /// <summary>
    /// Adam iterate averaging off by default: measured on the samples it did not lower the loss of
    /// the result enough to be worth changing what Adam returns (docs/style-transfer.md, "Iterate averaging (Adam)").
    /// </summary>
    public const double DefaultAdamAverage = 0;
    public const double MaxAdamAverage = 0.9999;

    // Validation bounds: generous, but a typo must not ask for a week of compute.
    public const int MaxIterations = 5000;
    public const int MaxScales = 8;
    public const int MinScale = 32;
    public const int MaxScale = 8192;
    public const float MinStyleScale = 0.1f;
    public const float MaxStyleScale = 4f;
    public const int MaxStyles = 8;
    public const int MinTileSize = 128;
    public const int MaxTileSize = 4096;
    public const double MaxWeight = 1e12;

    /// <summary>Backbone manifest name; null takes the engine's configured model (<see cref="EngineOptions.Model"/>).</summary>
    public string? Model { get; init; }

    /// <summary>Style taps and their weights, <c>stem:1,layer1:1</c>; null takes the manifest's recommendation.</summary>
    public string? StyleLayers { get; init; }

    /// <summary>Content taps and their weights; null takes the manifest's recommendation.</summary>
    public string? ContentLayers { get; init; }

    public double StyleWeight { get; init; } = DefaultStyleWeight;

    public double ContentWeight { get; init; } = DefaultContentWeight;

    public double TvWeight { get; init; } = DefaultTvWeight;

    public double RangeWeight { get; init; } = DefaultRangeWeight;

    /// <summary><c>lbfgs</c> (default) or <c>adam</c>.</summary>
    public string Optimizer { get; init; } = OptimizerKinds.Lbfgs;

    /// <summary>Adam's step size (image in [0,1]).</summary>
    public double LearningRate { get; init; } = DefaultLearningRate;

    /// <summary>
    /// Adam only: decay of an exponential moving average of the image (0: off; 0.99 averages about
    /// the last 100 iterations); each scale's result is the bias-corrected average instead of the last iterate.
    /// </summary>
    public double AdamAverage { get; init; } = DefaultAdamAverage;

    /// <summary>L-BFGS correction pairs.</summary>
    public int History { get; init; } = LbfgsOptions.DefaultHistorySize;

    /// <summary>Optimizer iterations at each scale.</summary>
    public int Iterations { get; init; } = DefaultIterations;

    /// <summary>Long side of the image at each scale, increasing.</summary>
    public int[] Scales { get; init; } = DefaultScales;

    /// <summary><c>content</c>, <c>noise</c> or <c>image</c> (an extra input with role <c>init</c>).</summary>
    public string Init { get; init; } = StyleInitModes.Content;

    /// <summary>Blend weights of the style images, in their order (null: equal); normalized to sum 1.</summary>
    public double[]? StyleBlend { get; init; }

    /// <summary>Style images are resized to this times the content's long side at each scale.</summary>
    public float StyleScale { get; init; } = DefaultStyleScale;

    /// <summary><c>none</c>, <c>luminance</c> or <c>histogram</c>.</summary>
    public string PreserveColors { get; init; } = PreserveColorModes.None;

    /// <summary><c>auto</c> (on for residual backbones), <c>on</c> or <c>off</c>.</summary>
    public string Smoothing { get; init; } = SmoothingModes.Auto;

    /// <summary><c>scale</c> (default) or <c>softmax</c>.</summary>
    public string SmoothingMode { get; init; } = DefaultSmoothingMode;

    public float SmoothingFactor { get; init; } = DefaultSmoothingFactor;

    public float SmoothingTemperature { get; init; } = DefaultSmoothingTemperature;

    /// <summary>Style taps the smoothing applies to; null: those of <see cref="DefaultSmoothingLayers"/> that are style taps.</summary>
    public string? SmoothingLayers { get; init; }

    /// <summary>
    /// Memory the optimizer may hold, in MiB. L-BFGS keeps about <c>2 * history + 11</c> image-sized
    /// float vectors (3 MB each at 512x512, 200 MB at 4096x4096): above the budget its history is
    /// shortened, and when even one pair does not fit the job is refused with a pointer to Adam
    /// (4 vectors). The default keeps a 4096x4096 Adam transfer within 4 GB on the CPU.
    /// </summary>
    public int OptimizerMemoryMb { get; init; } = DefaultOptimizerMemoryMb;

    /// <summary>Images with a side above this are optimized tile by tile (exact: Grams are summed over tiles).</summary>
    public int TileSize { get; init; } = DefaultTileSize;

    /// <summary>
    /// <c>trim</c> (default): a uniform frame (a scan's black border, letterboxing) is cut from each
    /// style image before the transfer (<see cref="StyleFrame"/>), since its statistics would be painted
    /// along the result's edges; <c>keep</c>: style images are used as they are.
    /// </summary>
    public string StyleFrames { get; init; } = StyleFrameModes.Trim;

    /// <summary>Reflected margin around the optimized image, a fraction of its long side (0: none); cropped when rendering.</summary>
    public float Margin { get; init; } = DefaultMargin;

    /// <summary>Seed for noise initialization; null picks one (the checkpoint records it).</summary>
    public long? Seed { get; init; }

    public IReadOnlyList<TapWeight> StyleTaps(IReadOnlyDictionary<string, float> recommended) => Taps(StyleLayers, recommended, "styleLayers");

    public IReadOnlyList<TapWeight> ContentTaps(IReadOnlyDictionary<string, float> recommended) => Taps(ContentLayers, recommended, "contentLayers");

    private static IReadOnlyList<TapWeight> Taps(string? text, IReadOnlyDictionary<string, float> recommended, string field) =>
        text is null ? recommended.Select(kv => new TapWeight(kv.Key, kv.Value)).ToList() : TapWeights.Parse(text, field);

    /// <summary>The smoothing the compiled graphs get, given whether the backbone is residual.</summary>
    public StyleSmoothing? ResolveSmoothing(bool residual)
    {
        var on = Smoothing == SmoothingModes.On || (Smoothing == SmoothingModes.Auto && residual);
        if (!on) return null;
        var taps = (SmoothingLayers ?? DefaultSmoothingLayers).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return SmoothingMode == "softmax"
            ? new StyleSmoothing(StyleSmoothingMode.Softmax, DefaultSmoothingFactor, SmoothingTemperature, taps)
            : new StyleSmoothing(StyleSmoothingMode.Scale, SmoothingFactor, DefaultSmoothingTemperature, taps);
    }

    /// <summary>Blend weights normalized to sum 1, for <paramref name="styles"/> style images.</summary>
    public double[] BlendWeights(int styles)
    {
        var raw = StyleBlend ?? Enumerable.Repeat(1.0, styles).ToArray();
        var sum = raw.Sum();
        return raw.Select(w => w / sum).ToArray();
    }

    /// <summary>
    /// The rules <see cref="StyleSchema"/> cannot state: its types, ranges, choices and lengths are
    /// checked by <see cref="DescriptorCheck"/> at the door, in the plan and at the start, so only
    /// what ties a value to its own shape or to another parameter is checked here. Throws
    /// <see cref="InvalidArtworkInputException"/> naming the field.
    /// </summary>
    public StyleSettings Validate()
    {
        if (StyleLayers is not null) _ = TapWeights.Parse(StyleLayers, StyleSchema.StyleLayers);
        if (ContentLayers is not null) _ = TapWeights.Parse(ContentLayers, StyleSchema.ContentLayers);
        if (AdamAverage > 0 && Optimizer != OptimizerKinds.Adam) Fail("adamAverage", "Iterate averaging is for the adam optimizer; L-BFGS returns its last iterate.");
        for (var i = 1; i < (Scales?.Length ?? 0); i++)
        {
            if (Scales![i] <= Scales[i - 1]) Fail(StyleSchema.Scales, $"Scales go from coarse to fine: {Scales[i]} after {Scales[i - 1]} does not increase.");
        }
        if (StyleBlend is { Length: > 0 } blend && !(blend.Sum() > 0)) Fail("styleBlend", "At least one blend weight must be above 0.");
        if (SmoothingLayers is not null && string.IsNullOrWhiteSpace(SmoothingLayers)) Fail("smoothingLayers", "Name the style layers to smooth, for example 'layer3,layer4', or leave it out.");
        return this;
    }

    /// <summary>
    /// The L-BFGS history that fits <see cref="OptimizerMemoryMb"/> for <paramref name="values"/>
    /// floats (at most <see cref="History"/>); 0 when not even one pair fits.
    /// </summary>
    public int HistoryFor(long values)
    {
        var vectorBytes = values * sizeof(float);
        var budget = (long)OptimizerMemoryMb << 20;
        var pairs = (budget / vectorBytes - LbfgsFixedVectors) / 2;
        return (int)Math.Clamp(pairs, 0, History);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads settings from JSON (empty means all defaults) and validates them.</summary>
    public static StyleSettings FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new StyleSettings().Validate();
        StyleSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize<StyleSettings>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "parameters";
            throw new InvalidArtworkInputException($"Style parameters are not valid: {ex.Message}", field, ex);
        }
        return (settings ?? new StyleSettings()).Validate();
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    private static void Fail(string field, string message) => throw new InvalidArtworkInputException(message, field);
}
