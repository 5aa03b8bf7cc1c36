using NeuralArt.Contract;
using NeuralArt.Engine.Optimizers;

namespace NeuralArt.Engine.Style;

/// <summary>
/// The style engine's parameter table: the one home of their names, types, defaults, ranges and help
/// (the door checks requests with it, the dashboard builds its form from it). The host's caps narrow
/// the ranges they bound (iterations, scales, optimizer memory).
/// </summary>
public static class StyleSchema
{
    public const string Model = "model";
    public const string StyleLayers = "styleLayers";
    public const string ContentLayers = "contentLayers";
    public const string Iterations = "iterations";
    public const string Scales = "scales";
    public const string OptimizerMemoryMb = "optimizerMemoryMb";
    public const string History = "history";
    public const string Optimizer = "optimizer";

    /// <summary>Longest tap list text accepted.</summary>
    public const int MaxLayersLength = 256;

    public const int MaxHistory = 100;
    public const int MinOptimizerMemoryMb = 64;
    public const double MaxLearningRate = 1;
    public const float MaxSmoothingTemperature = 1e4f;
    private const long MaxSeed = long.MaxValue;

    public static IReadOnlyList<ParameterDescriptor> Describe(IReadOnlyList<string> models, string defaultModel, EngineLimits limits)
    {
        var maxScale = (int)Math.Min(StyleSettings.MaxScale, Math.Floor(Math.Sqrt(limits.MaxWorkingPixels)));
        var memoryCap = Math.Max(MinOptimizerMemoryMb, limits.OptimizerMemoryMb);
        return
        [
            new() { Name = Model, Type = ParameterTypes.Choice, Choices = models, Default = defaultModel, Help = "The network whose features define style and content." },
            new() { Name = StyleLayers, Type = ParameterTypes.String, MaxLength = MaxLayersLength, Advanced = true,
                Help = "Style layers with weights, stem:1,layer1:1. Default: the model's recommended style layers." },
            new() { Name = ContentLayers, Type = ParameterTypes.String, MaxLength = MaxLayersLength, Advanced = true,
                Help = "Content layers with weights. Default: the model's recommended content layers." },
            new() { Name = "styleWeight", Type = ParameterTypes.Number, Minimum = 0, ExclusiveMinimum = true, Maximum = StyleSettings.MaxWeight,
                Default = StyleSettings.DefaultStyleWeight, Help = "How much the style counts against the content." },
            new() { Name = "contentWeight", Type = ParameterTypes.Number, Minimum = 0, Maximum = StyleSettings.MaxWeight,
                Default = StyleSettings.DefaultContentWeight, Help = "How much the photo's content counts." },
            new() { Name = "tvWeight", Type = ParameterTypes.Number, Minimum = 0, Maximum = StyleSettings.MaxWeight,
                Default = StyleSettings.DefaultTvWeight, Advanced = true, Help = "Total variation: smooths the network's fine grid." },
            new() { Name = "rangeWeight", Type = ParameterTypes.Number, Minimum = 0, Maximum = StyleSettings.MaxWeight,
                Default = StyleSettings.DefaultRangeWeight, Advanced = true, Help = "Keeps pixels inside [0,1] while optimizing." },
            new() { Name = Optimizer, Type = ParameterTypes.Choice, Choices = OptimizerKinds.All, Default = OptimizerKinds.Lbfgs,
                Help = "lbfgs converges in fewer iterations; adam needs far less memory for very large images." },
            new() { Name = "learningRate", Type = ParameterTypes.Number, Minimum = 0, ExclusiveMinimum = true, Maximum = MaxLearningRate,
                Default = StyleSettings.DefaultLearningRate, Advanced = true, Help = "Adam's step size (image in [0,1])." },
            new() { Name = History, Type = ParameterTypes.Integer, Minimum = 1, Maximum = MaxHistory, Default = LbfgsOptions.DefaultHistorySize,
                Advanced = true, Help = "L-BFGS correction pairs (shortened to fit the optimizer memory)." },
            new() { Name = Iterations, Type = ParameterTypes.Integer, Minimum = 1, Maximum = Math.Min(StyleSettings.MaxIterations, limits.MaxIterations),
                Default = StyleSettings.DefaultIterations, Help = "Optimizer iterations at each scale." },
            new() { Name = Scales, Type = ParameterTypes.IntegerList, Minimum = StyleSettings.MinScale, Maximum = maxScale, MaxLength = StyleSettings.MaxScales,
                Default = new System.Text.Json.Nodes.JsonArray([.. StyleSettings.DefaultScales.Where(s => s <= maxScale).Select(s => (System.Text.Json.Nodes.JsonNode?)s)]),
                Help = "Long side in pixels at each scale, increasing (coarse to fine); the photo is resized to each." },
            new() { Name = "init", Type = ParameterTypes.Choice, Choices = StyleInitModes.All, Default = StyleInitModes.Content, Advanced = true,
                Help = "Where the image starts: the photo, noise, or an init image." },
            new() { Name = "styleBlend", Type = ParameterTypes.NumberList, Minimum = 0, MaxLength = StyleSettings.MaxStyles,
                Help = "Weights of the style images, in their order (default: equal)." },
            new() { Name = "styleScale", Type = ParameterTypes.Number, Minimum = StyleSettings.MinStyleScale, Maximum = StyleSettings.MaxStyleScale,
                Default = StyleSettings.DefaultStyleScale, Help = "Style images are resized to this times the photo's long side: larger gives larger strokes." },
            new() { Name = "preserveColors", Type = ParameterTypes.Choice, Choices = PreserveColorModes.All, Default = PreserveColorModes.None,
                Help = "Keep the photo's colours: luminance-only transfer, or match the style's colour histogram." },
            new() { Name = "smoothing", Type = ParameterTypes.Choice, Choices = SmoothingModes.All, Default = SmoothingModes.Auto, Advanced = true,
                Help = "Feature smoothing of residual networks (Wang et al., 2021)." },
            new() { Name = "smoothingMode", Type = ParameterTypes.Choice, Choices = ["scale", "softmax"], Default = StyleSettings.DefaultSmoothingMode, Advanced = true,
                Help = "How features are smoothed." },
            new() { Name = "smoothingFactor", Type = ParameterTypes.Number, Minimum = 0, ExclusiveMinimum = true, Maximum = 1,
                Default = StyleSettings.DefaultSmoothingFactor, Advanced = true, Help = "Scale applied to the smoothed layers' features." },
            new() { Name = "smoothingTemperature", Type = ParameterTypes.Number, Minimum = 0, ExclusiveMinimum = true, Maximum = MaxSmoothingTemperature,
                Default = StyleSettings.DefaultSmoothingTemperature, Advanced = true, Help = "Softmax temperature (softmax mode)." },
            new() { Name = "smoothingLayers", Type = ParameterTypes.String, MaxLength = MaxLayersLength, Advanced = true,
                Help = "Style layers the smoothing applies to (default: layer3,layer4)." },
            new() { Name = OptimizerMemoryMb, Type = ParameterTypes.Integer, Minimum = MinOptimizerMemoryMb, Maximum = memoryCap,
                Default = Math.Min(StyleSettings.DefaultOptimizerMemoryMb, memoryCap), Advanced = true,
                Help = "Memory the optimizer may hold (MiB); L-BFGS shortens its history to fit. The host caps it." },
            new() { Name = "tileSize", Type = ParameterTypes.Integer, Minimum = StyleSettings.MinTileSize, Maximum = StyleSettings.MaxTileSize,
                Default = StyleSettings.DefaultTileSize, Advanced = true, Help = "Images with a side above this are optimized tile by tile (exact)." },
            new() { Name = "margin", Type = ParameterTypes.Number, Minimum = 0, Maximum = StyleSettings.MaxMargin,
                Default = StyleSettings.DefaultMargin, Advanced = true,
                Help = "Reflected margin around the optimized image, a fraction of its long side, cropped when saving: keeps the edges from darkening. 0: none." },
            new() { Name = "styleFrames", Type = ParameterTypes.Choice, Choices = StyleFrameModes.All, Default = StyleFrameModes.Trim, Advanced = true,
                Help = "trim: remove uniform frames (a scan's black border) from the style images, which would otherwise be painted along the result's edges; keep: use them as they are." },
            new() { Name = "adamAverage", Type = ParameterTypes.Number, Minimum = 0, Maximum = StyleSettings.MaxAdamAverage,
                Default = StyleSettings.DefaultAdamAverage, Advanced = true,
                Help = "Adam only: decay of a moving average of the image returned instead of the last iterate (0.99 averages about 100 iterations). 0: off." },
            new() { Name = "seed", Type = ParameterTypes.Integer, Minimum = 0, Maximum = MaxSeed,
                Help = "Seed of the noise start; left out, one is drawn and recorded in job.json." },
        ];
    }
}
