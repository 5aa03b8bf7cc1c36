using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Optimizers;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style.Tiling;
using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Style;

/// <summary>
/// Neural style transfer (Gatys, Ecker and Bethge, 2016) on compiled gradient graphs. The image is
/// optimized at each of <see cref="StyleSettings.Scales"/> (coarse to fine, each scale starting
/// from the previous result upsampled) with L-BFGS or Adam, against Gram targets of the style
/// images (blended) and the content's features. Work runs in resumable chunks: each call
/// deserializes the state (image, scale, iteration, optimizer state, random state), runs, and
/// serializes it again; on the CPU a transfer cut into chunks gives the same pixels as one run.
/// The plan is <see cref="StylePlanner"/>'s, the decoding and checks of the images
/// <see cref="StyleInputs"/>'; measurements for the CLI and the tests are in NeuralStyleEngine.Diagnostics.cs.
/// </summary>
public sealed partial class NeuralStyleEngine : ArtworkEngineBase
{
    /// <summary>Role of style images in <see cref="ArtworkInputs.Extras"/> (one or more, in blend order).</summary>
    public const string StyleRole = "style";

    /// <summary>Role of the optional start image (with <c>init: "image"</c>).</summary>
    public const string InitRole = "init";

    /// <summary>
    /// Role of the optional region masks: one per style image, in the same order (white: that style
    /// applies there; gray: partly; black: not). Parts no mask covers keep the source.
    /// </summary>
    public const string MaskRole = "mask";

    /// <summary>
    /// Role of the optional masks of the style images: one per style image, in the same order
    /// (white: this part of the painting is the style to use). Style k's target Gram is then taken
    /// over the masked part only, <c>F_s diag(s_k) F_s^T / (C sum s_k)</c>.
    /// </summary>
    public const string StyleMaskRole = "styleMask";

    /// <summary>A mask's aspect ratio may differ from the source's by this fraction (rounding of resized masks); more is a mistake.</summary>
    public const double MaskAspectTolerance = 0.02;

    public NeuralStyleEngine(IGraphSource graphs, OnnxSessionPool sessions, ImageLoader loader, ILogger<NeuralStyleEngine>? logger = null, EngineOptions? options = null)
        : base(graphs, sessions, loader, logger, options)
    {
    }

    public override string Kind => ArtworkKinds.Style;

    /// <summary>The library bare style names refer to (<c>starry-night</c> is an image of it).</summary>
    public const string StyleLibrary = "styles";

    public override EngineDescriptor Describe(EngineLimits limits) => new()
    {
        Kind = Kind,
        Title = "Style transfer",
        Description = "Paints the photo in the style of one or more artworks (Gatys, Ecker and Bethge, 2016).",
        Stage = "scale",
        Inputs =
        [
            new() { Role = EngineDescriptor.SourceRole, Min = 1, Max = 1, Help = "The photo whose content is kept." },
            new() { Role = StyleRole, Min = 1, Max = StyleSettings.MaxStyles, Library = StyleLibrary,
                Help = "Style images (artworks), blended in order; a bare name is an image of the styles library." },
            new() { Role = InitRole, Min = 0, Max = 1, Help = "Optional start image (with init: image)." },
            new() { Role = MaskRole, Min = 0, Max = StyleSettings.MaxStyles,
                Help = "Optional region masks, one per style image in the same order: white where that style applies, black where not; parts no mask covers keep the photo." },
            new() { Role = StyleMaskRole, Min = 0, Max = StyleSettings.MaxStyles,
                Help = "Optional masks of the style images, one per style image in the same order: white marks the part of the painting whose style is used; any size with that style image's shape." },
        ],
        Parameters = StyleSchema.Describe(Graphs.Models, Options.Model, limits),
        Outputs = [OutputDescriptor.Result],
    };

    protected override JobPlan Plan(PlanRequest request, JsonObject values)
    {
        var settings = StyleSettings.FromJson(values.ToJsonString());
        var manifest = ResolveModel(settings.Model);
        settings = settings with { Model = manifest.Name };
        using var model = StyleModel.Resolve(Graphs, Sessions, settings);
        return StylePlanner.Plan(request, settings, model, Graphs, manifest);
    }

    protected override Image<Rgb24> RenderImage(ReadOnlyMemory<byte> state) => Render(StyleState.Deserialize(state));

    protected override EngineCheckpoint Start(ArtworkInputs inputs, CancellationToken cancellationToken)
    {
        var settings = StyleSettings.FromJson(inputs.ParametersJson);
        settings = settings with { Model = settings.Model ?? Options.Model, Seed = PlanLimits.SeedOr(settings.Seed) };
        var state = NewState(inputs, settings, warped: null, cancellationToken);
        using var model = StyleModel.Resolve(Graphs, Sessions, settings, masked: state.Masks.Count > 0);
        Logger.LogInformation(
            "Style transfer started: source {Width}x{Height}, {Styles} style image(s), scales {Scales}, {Iterations} {Optimizer} iterations each, smoothing {Smoothing}, seed {Seed}.",
            state.Content.Width, state.Content.Height, state.Styles.Count, string.Join(",", settings.Scales), settings.Iterations, settings.Optimizer,
            model.RequestedSmoothing is null ? "off" : model.RequestedSmoothing.CacheKey +
                (model.DroppedStyleTaps.Count > 0 ? $" (style terms of {string.Join(", ", model.DroppedStyleTaps)} scaled below float precision: not computed)" : ""),
            settings.Seed);
        return new EngineCheckpoint(state.Serialize(), state.Progress());
    }

    /// <summary>
    /// A state for <paramref name="inputs"/> with <paramref name="settings"/> (model resolved, seed
    /// drawn), its graphs compiled or found; it starts from <paramref name="warped"/> (a video's
    /// previous frame moved onto this one, the output's size) when given, else as the settings say.
    /// </summary>
    internal StyleState NewState(ArtworkInputs inputs, StyleSettings settings, ImageTensor? warped, CancellationToken cancellationToken)
    {
        StyleInputs.CheckCounts(settings, inputs.Extras);
        using (var model = StyleModel.Resolve(Graphs, Sessions, settings, masked: StyleInputs.OfRole(inputs.Extras, MaskRole).Count > 0))
        {
            model.TargetsSession();
            model.ObjectiveSession();
        }
        cancellationToken.ThrowIfCancellationRequested();
        var decoded = StyleInputs.Decode(inputs, settings, Loader, Logger);
        return Begin(settings, decoded.Source, decoded.Styles, decoded.Init, decoded.Masks, decoded.StyleMasks, warped);
    }

    /// <summary>
    /// The state of a video's next frame: the style images and masks of <paramref name="previous"/>
    /// (decoded once, at the first frame), <paramref name="content"/> as the photo, starting from
    /// <paramref name="warped"/> when given, else from the content.
    /// </summary>
    internal static StyleState NextFrame(StyleState previous, StoredImage content, StyleSettings settings, ImageTensor? warped) =>
        Begin(settings, content, previous.Styles, StoredImage.Empty, previous.Masks, previous.StyleMasks, warped);

    private static StyleState Begin(StyleSettings settings, StoredImage content, IReadOnlyList<StoredImage> styles, StoredImage init,
        IReadOnlyList<StoredImage> masks, IReadOnlyList<StoredImage> styleMasks, ImageTensor? warped)
    {
        var first = StylePlan.Fit(content.Height, content.Width, settings.Scales[0]);
        var state = new StyleState
        {
            Settings = settings,
            Content = content,
            Styles = styles,
            Init = init,
            Masks = masks,
            StyleMasks = styleMasks,
            RandomState = (ulong)(settings.Seed ?? throw new InvalidOperationException("The seed is drawn before a state is made.")),
            Image = new ImageTensor(first.Height, first.Width),
        };
        if (warped is null)
        {
            state.Image = InitialImage(state, first, state.Margin);
            return state;
        }
        var start = (warped.Height, warped.Width) == first ? warped : Resize.Bilinear(warped, first.Height, first.Width);
        var canvas = StyleCanvas.Pad(start, state.Margin);
        state.Image = settings.PreserveColors == PreserveColorModes.Luminance ? ColorTransfer.Luminance(canvas) : canvas;
        return state;
    }

    /// <summary>The first scale's canvas: <paramref name="size"/> plus <paramref name="margin"/> on each side.</summary>
    private static ImageTensor InitialImage(StyleState state, (int Height, int Width) size, int margin)
    {
        switch (state.Settings.Init)
        {
            case StyleInitModes.Noise:
                var random = new SplitMix64(state.RandomState);
                var (canvasHeight, canvasWidth) = StyleCanvas.Size(size, margin);
                var noise = new ImageTensor(canvasHeight, canvasWidth);
                for (var i = 0; i < noise.Data.Length; i++) noise.Data[i] = (float)((random.NextUInt64() >> 40) * (1.0 / (1UL << 24)));
                state.RandomState = random.State;
                return state.Settings.PreserveColors == PreserveColorModes.Luminance ? ColorTransfer.Luminance(noise) : noise;
            case StyleInitModes.Image:
                var init = StyleCanvas.Pad(ScaleInputs.Resized(state.Init, size.Height, size.Width), margin);
                return state.Settings.PreserveColors == PreserveColorModes.Luminance ? ColorTransfer.Luminance(init) : init;
            default:
                return ScaleInputs.Prepare(state, size, margin).Content.Clone();
        }
    }

    protected override ChunkRun RunChunk(ReadOnlyMemory<byte> bytes, int maxIterations, IProgress<EngineProgress>? progress, CancellationToken cancellationToken)
    {
        var state = StyleState.Deserialize(bytes);
        if (state.IsComplete) return new ChunkRun(new EngineCheckpoint(bytes.ToArray(), state.Progress()), () => Render(state), state.Settings.ToJson());
        Advance(state, maxIterations, temporal: null, progress is null ? null : () => progress.Report(state.Progress()), cancellationToken);
        return new ChunkRun(new EngineCheckpoint(state.Serialize(), state.Progress()), () => Render(state), state.Settings.ToJson());
    }

    /// <summary>
    /// Runs at most <paramref name="maxIterations"/> iterations of the current scale of
    /// <paramref name="state"/> in place (the still's chunk, and each frame of a video). A
    /// <paramref name="temporal"/> term, when given, is added to the objective and its gradient
    /// outside the compiled graph (the video engine's coherence with the previous frame).
    /// </summary>
    internal void Advance(StyleState state, int maxIterations, TemporalTerm? temporal, Action? afterIteration, CancellationToken cancellationToken)
    {
        var settings = state.Settings;
        using var model = StyleModel.Resolve(Graphs, Sessions, settings, state.Masks.Count > 0);
        var (height, width) = (state.Image.Height, state.Image.Width);
        using var objective = CreateObjective(model, ScaleInputs.Prepare(state, state.OutputSize, state.Margin), height, width, cancellationToken);
        var function = new StyleLossFunction(objective, settings.RangeWeight);
        GradientFunction evaluate = temporal is null ? function.Evaluate : (x, gradient, ct) => function.Evaluate(x, gradient, ct) + temporal.Add(x, gradient);
        var optimizer = state.OptimizerBytes.IsEmpty ? CreateOptimizer(settings, state.Image.Data.Length) : ReadOptimizer(state.OptimizerBytes);
        state.OptimizerBytes = ReadOnlyMemory<byte>.Empty;
        var evaluationsBefore = optimizer.Evaluations;

        for (var done = 0; done < maxIterations && state.Iteration < settings.Iterations; done++)
        {
            optimizer.Step(state.Image.Data, evaluate, cancellationToken);
            state.Iteration++;
            state.CompletedIterations++;
            state.LastLoss = optimizer.Loss;
            afterIteration?.Invoke();
        }
        state.Evaluations += optimizer.Evaluations - evaluationsBefore;

        if (state.Iteration == settings.Iterations)
        {
            // With iterate averaging the scale's result is Adam's averaged image, not its last iterate.
            if (optimizer is Adam { Averaging: true, Iteration: > 0 } adam) adam.Average(state.Image.Data);
            var parts = MeasureOutput(state, objective, cancellationToken);
            (state.LastStyleLoss, state.LastContentLoss, state.LastTvLoss) = (parts.Style, parts.Content, parts.TotalVariation);
            EndPhase(state);
        }
        else
        {
            state.Optimizer = optimizer;
        }
    }

    /// <summary>
    /// The loss parts of the scale's result as a picture: the output (margin cropped) given a margin
    /// reflected from itself, against the canvas objective (see <see cref="MeasureAsync"/>).
    /// </summary>
    private static StyleLossParts MeasureOutput(StyleState state, IStyleObjective canvasObjective, CancellationToken cancellationToken)
    {
        var margin = state.Margin;
        return canvasObjective.Measure(StyleCanvas.Pad(StyleCanvas.Crop(state.Image, margin), margin).Data, cancellationToken);
    }

    /// <summary>Finishes, or moves to the next scale: the result upsampled is the next start, and the optimizer starts afresh.</summary>
    private static void EndPhase(StyleState state)
    {
        state.Optimizer = null;
        state.OptimizerBytes = ReadOnlyMemory<byte>.Empty;
        if (state.Phase + 1 >= state.Settings.Scales.Length)
        {
            state.IsComplete = true;
            return;
        }
        // The output is upsampled and given a fresh reflected margin (the old margin is not part of the picture).
        var next = StylePlan.Fit(state.Content.Height, state.Content.Width, state.Settings.Scales[state.Phase + 1]);
        var upsampled = Resize.Bilinear(StyleCanvas.Crop(state.Image, state.Margin), next.Height, next.Width);
        state.Image = StyleCanvas.Pad(upsampled, StyleCanvas.MarginFor(next, state.Settings.Margin));
        state.Phase++;
        state.Iteration = 0;
    }

    internal IStyleObjective CreateObjective(StyleModel model, ScaleInputs inputs, int height, int width, CancellationToken cancellationToken)
    {
        var tileSize = model.Settings.TileSize;
        var tileCentre = TileCentre(tileSize);
        IStyleTargetSource? whole = null;
        TiledTargetSource? tiled = null;
        TiledTargetSource Tiled() => tiled ??= new TiledTargetSource(model, tileCentre);
        // Images above the tile size (the source at large scales, big style images) go tile by tile.
        IStyleTargetSource SourceFor(ImageTensor image) => IsTiled(image.Height, image.Width, tileSize)
            ? Tiled()
            : whole ??= new WholeImageTargetSource(model.TargetsSession());
        // A style image with a mask of its own: its Gram over the masked part, through the guided
        // partial-Gram graph (one tile when it fits in one, as style images at the defaults do).
        var grams = inputs.Styles.Select((s, i) => inputs.StyleMasks.Count > 0
            ? Tiled().MaskedGrams(s, inputs.StyleMasks[i], cancellationToken)
            : SourceFor(s).Grams(s, cancellationToken)).ToList();
        var blend = model.Settings.BlendWeights(grams.Count);
        var masked = model.Masked && inputs.Masks.Count > 0;
        var targets = new StyleTargets(
            masked ? new Dictionary<string, float[]>() : StyleTargets.Blend(grams, blend),
            SourceFor(inputs.Content).ContentFeatures(inputs.Content, cancellationToken))
        {
            Regions = masked ? StyleRegions.Create(grams, inputs.Masks, height, width, TapSizes(model, height, width), blend) : null,
        };
        if (!IsTiled(height, width, tileSize)) return new WholeImageStyleObjective(model, targets, height, width);
        // The scale's inputs (hundreds of MB at 4096 px, on the large-object heap) are dead now and
        // collectable: no forced collection here, since this library runs inside a shared Functions
        // worker where a blocking, compacting GC would stall every other function; the runtime
        // collects the large-object heap when the optimizer's allocations need the room.
        grams.Clear();
        return new TiledStyleObjective(model, targets, height, width, tileCentre);
    }

    /// <summary>The style taps' feature map sizes for an image of <paramref name="height"/> x <paramref name="width"/>, read from the compiled features graph.</summary>
    private static Dictionary<string, (int Height, int Width)> TapSizes(StyleModel model, int height, int width)
    {
        var geometry = FeatureGeometry.Load(model.FeaturesGraph().Path);
        return model.StyleTapNames.ToDictionary(t => t, t => geometry.FeatureSize(t, height, width), StringComparer.Ordinal);
    }

    /// <summary>
    /// Tiles of a tiled image have centres of half the tile size; with their halos (the receptive
    /// field, about 110 px each side for the default taps) the network then runs on pieces smaller
    /// than the largest image it takes whole, which keeps ONNX Runtime's working memory bounded; half
    /// the tile size was both faster and smaller than whole tiles at 4096x4096 (docs/benchmarks.md,
    /// "Large style transfers").
    /// </summary>
    internal static int TileCentre(int tileSize) => tileSize / 2;

    private static bool IsTiled(int height, int width, int tileSize) => Math.Max(height, width) > tileSize;

    private static IGradientOptimizer CreateOptimizer(StyleSettings settings, int dimension) => settings.Optimizer switch
    {
        OptimizerKinds.Adam => new Adam(dimension, new AdamOptions { LearningRate = settings.LearningRate, AverageDecay = settings.AdamAverage }),
        _ => new Lbfgs(dimension, new LbfgsOptions { HistorySize = settings.HistoryFor(dimension) }),
    };

    private static IGradientOptimizer ReadOptimizer(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return OptimizerSerializer.FromBytes(bytes);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidArtworkInputException($"The style state cannot be resumed: its optimizer state is corrupt ({ex.Message}).", "state", ex);
        }
    }

    internal static Image<Rgb24> Render(StyleState state)
    {
        var image = StyleCanvas.Crop(state.Image, state.Margin);
        if (state.Settings.PreserveColors == PreserveColorModes.Luminance)
        {
            var color = ScaleInputs.Resized(state.Content, image.Height, image.Width);
            image = ColorTransfer.CombineLuminance(image, color);
        }
        return image.ToImage();
    }
}
