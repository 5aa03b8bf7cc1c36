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

/// <summary>What a style checkpoint holds, for progress displays and summaries.</summary>
/// <param name="StyleTaps">The style taps the compiled graphs use (smoothed-away taps left out).</param>
/// <param name="ContentTaps">The content taps.</param>
public sealed record StyleStateInfo(
    StyleSettings Settings,
    IReadOnlyList<(int Height, int Width)> ScaleSizes,
    int Styles,
    int Evaluations,
    StyleLossParts? LastParts,
    IReadOnlyList<string> StyleTaps,
    IReadOnlyList<string> ContentTaps);

/// <summary>
/// Neural style transfer (Gatys, Ecker and Bethge, 2016) on compiled gradient graphs. The image is
/// optimized at each of <see cref="StyleSettings.Scales"/> (coarse to fine, each scale starting
/// from the previous result upsampled) with L-BFGS or Adam, against Gram targets of the style
/// images (blended) and the content's features. Work runs in resumable chunks: each call
/// deserializes the state (image, scale, iteration, optimizer state, random state), runs, and
/// serializes it again; on the CPU a transfer cut into chunks gives the same pixels as one run.
/// </summary>
public sealed class NeuralStyleEngine : ArtworkEngineBase
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

    /// <summary>
    /// Objective evaluations per L-BFGS iteration, for cost predictions: the strong Wolfe line search
    /// mostly accepts the first step (measured: 309 evaluations for 300 iterations at 512 px).
    /// </summary>
    private const double LbfgsEvaluationsPerIteration = 1.05;

    /// <summary>Image-sized vectors Adam keeps in its checkpoint (first and second moments).</summary>
    private const int AdamStateVectors = 2;

    /// <summary>Image-sized vectors Adam holds while running (moments, gradient, scratch).</summary>
    private const int AdamWorkingVectors = 4;

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
        var limits = request.Limits;
        var settings = StyleSettings.FromJson(values.ToJsonString());
        var manifest = ResolveModel(settings.Model);
        settings = settings with { Model = manifest.Name };
        using var model = StyleModel.Resolve(Graphs, Sessions, settings);

        var sources = request.Inputs.Where(i => i.Role == EngineDescriptor.SourceRole).ToList();
        var styles = request.Inputs.Where(i => i.Role == StyleRole).ToList();
        var inits = request.Inputs.Where(i => i.Role == InitRole).ToList();
        var masks = request.Inputs.Where(i => i.Role == MaskRole).ToList();
        var styleMasks = request.Inputs.Where(i => i.Role == StyleMaskRole).ToList();
        CheckExtras(settings, styles.Count, inits.Count, masks.Count, styleMasks.Count);

        var source = sources[0];
        var sizes = StylePlan.Sizes(source.Height, source.Width, settings.Scales);
        var first = sizes[0];
        if (Math.Min(first.Height, first.Width) < StylePlan.MinSide)
        {
            throw new InvalidArtworkInputException(
                $"At the first scale ({settings.Scales[0]} px) the source image would be {first.Width}x{first.Height}; each side must be at least {StylePlan.MinSide} px. Use a larger first scale.", StyleSchema.Scales);
        }

        var total = (long)settings.Scales.Length * settings.Iterations;
        PlanLimits.Iterations(total, limits, $"{settings.Scales.Length} scales x {settings.Iterations} iterations", StyleSchema.Iterations);
        var last = sizes[^1];
        PlanLimits.WorkingImage(last.Width, last.Height, limits, StyleSchema.Scales);
        // The optimizer works on the canvas: each scale's output plus its reflected margin (StyleCanvas).
        (int Height, int Width) Canvas((int Height, int Width) size) => StyleCanvas.Size(size, StyleCanvas.MarginFor(size, settings.Margin));
        var lastCanvas = Canvas(last);
        var working = (long)lastCanvas.Height * lastCanvas.Width;

        var values3 = (long)ImageTensor.Channels * working;
        var history = settings.Optimizer == OptimizerKinds.Lbfgs ? settings.HistoryFor(values3) : 0;
        if (settings.Optimizer == OptimizerKinds.Lbfgs && history == 0)
        {
            var needed = (2 + StyleSettings.LbfgsFixedVectors) * values3 * sizeof(float) >> 20;
            throw new InvalidArtworkInputException(
                $"L-BFGS at {last.Width}x{last.Height} needs at least {needed} MiB for its vectors, over the optimizer memory budget of {settings.OptimizerMemoryMb} MiB; " +
                "use the adam optimizer for images this large, or a smaller last scale.", StyleSchema.Optimizer);
        }

        // What the checkpoint stores: the photo (scaled down to the last scale), the style images
        // and their masks (scaled down to the style side), the image and the optimizer's vectors.
        var largest = settings.Scales[^1];
        var styleSide = Math.Max(StylePlan.MinSide, (int)Math.Ceiling(largest * (double)settings.StyleScale));
        long Stored(InputHeader h, int side) { var (w, hh) = PlanSizes.FitWithin(h.Width, h.Height, side); return (long)ImageTensor.Channels * w * hh; }
        var optimizerVectors = settings.Optimizer == OptimizerKinds.Lbfgs ? 2L * history : AdamStateVectors;
        var checkpoint = PlanLimits.CheckpointOverheadBytes + Stored(source, largest) + styles.Sum(s => Stored(s, styleSide)) + inits.Sum(i => Stored(i, largest))
            + masks.Sum(m => Stored(m, largest)) + styleMasks.Sum(m => Stored(m, styleSide)) + sizeof(float) * values3 * (1 + optimizerVectors);
        PlanLimits.Checkpoint(checkpoint, limits, StyleSchema.Scales);

        var cost = Graphs.GetCost(manifest, model.StyleTapNames.Concat(model.ContentTapNames).Distinct().ToList());
        var evaluations = settings.Optimizer == OptimizerKinds.Lbfgs ? LbfgsEvaluationsPerIteration : 1;
        long pixelIterations = 0, peakActivations = 0;
        double macs = 0;
        foreach (var size in sizes)
        {
            var (h, w) = Canvas(size);
            pixelIterations += (long)h * w * settings.Iterations;
            macs += evaluations * settings.Iterations * cost.GradientStepMacs(h, w);
            // Targets: one forward pass of the photo and of each style image at this scale.
            macs += cost.ForwardMacs(h, w);
            foreach (var style in styles)
            {
                var scaleSide = Math.Max(StylePlan.MinSide, (int)Math.Ceiling(Math.Max(size.Height, size.Width) * (double)settings.StyleScale));
                var (sw, sh) = PlanSizes.FitWithin(style.Width, style.Height, Math.Min(scaleSide, styleSide));
                macs += cost.ForwardMacs(sh, sw);
            }
            peakActivations = Math.Max(peakActivations, cost.ActivationValues(Math.Min(h, settings.TileSize), Math.Min(w, settings.TileSize)));
        }

        var workingVectors = settings.Optimizer == OptimizerKinds.Lbfgs ? 2L * history + StyleSettings.LbfgsFixedVectors : AdamWorkingVectors;
        var peak = checkpoint + sizeof(float) * (workingVectors * values3 + PlanLimits.ActivationCopiesPerStep * peakActivations);
        var effective = settings with
        {
            StyleLayers = TapWeights.Format(model.StyleTaps),
            ContentLayers = TapWeights.Format(model.ContentTaps),
            Seed = PlanLimits.SeedOr(settings.Seed),
        };
        return new JobPlan
        {
            ParametersJson = effective.ToJson(),
            Model = manifest.Name,
            Stages = PlanLimits.Stages(sizes, settings.Iterations),
            Cost = new JobCost
            {
                Iterations = total,
                PixelIterations = pixelIterations,
                MultiplyAdds = macs,
                PeakMemoryBytes = peak,
                CheckpointBytes = checkpoint,
                WorkingPixels = working,
            },
        };
    }

    /// <summary>
    /// The rules that tie the counts of style, mask and init images to each other and to the
    /// parameters (each role's own count is the descriptor's, checked by <see cref="DescriptorCheck"/>).
    /// </summary>
    private static void CheckExtras(StyleSettings settings, int styleCount, int initCount, int maskCount, int styleMaskCount)
    {
        if (settings.StyleBlend is { } blend && blend.Length != styleCount)
        {
            throw new InvalidArtworkInputException($"There are {blend.Length} blend weights for {styleCount} style images; give one weight per style image.", "styleBlend");
        }
        if (maskCount != 0 && maskCount != styleCount)
        {
            throw new InvalidArtworkInputException(
                $"There are {maskCount} masks for {styleCount} style images; give one mask per style image, in the same order, or none.", MaskRole);
        }
        if (styleMaskCount != 0 && styleMaskCount != styleCount)
        {
            throw new InvalidArtworkInputException(
                $"There are {styleMaskCount} style masks for {styleCount} style images; give one style mask per style image, in the same order, or none.", StyleMaskRole);
        }
        if (settings.Init == StyleInitModes.Image && initCount == 0)
        {
            throw new InvalidArtworkInputException($"Init 'image' needs an image with role '{InitRole}'.", "init");
        }
        if (settings.Init != StyleInitModes.Image && initCount == 1)
        {
            throw new InvalidArtworkInputException($"An init image was given but init is '{settings.Init}'; set init to 'image' to use it.", "init");
        }
    }

    protected override Image<Rgb24> RenderImage(ReadOnlyMemory<byte> state) => Render(StyleState.Deserialize(state));

    /// <summary>Reads a checkpoint's settings, scale sizes and latest loss parts.</summary>
    public StyleStateInfo Inspect(ReadOnlyMemory<byte> state)
    {
        var style = StyleState.Deserialize(state);
        var parts = double.IsNaN(style.LastStyleLoss) ? (StyleLossParts?)null : new StyleLossParts(style.LastStyleLoss, style.LastContentLoss, style.LastTvLoss);
        using var model = StyleModel.Resolve(Graphs, Sessions, style.Settings, style.Masks.Count > 0);
        return new StyleStateInfo(style.Settings, StylePlan.Sizes(style.Content.Height, style.Content.Width, style.Settings.Scales),
            style.Styles.Count, style.Evaluations, parts, model.StyleTapNames, model.ContentTapNames);
    }

    /// <summary>
    /// The loss parts of <paramref name="image"/> (default: the state's current output, its margin
    /// cropped) against the targets of the state's current scale; the image must have that scale's
    /// output size. It is measured as the transfer optimizes it: on a canvas with the state's margin,
    /// here reflected from the picture itself, because a Gram loss is dominated by what happens at the
    /// canvas edge: the plain zero-padded objective of the picture rewards the dark borders the margin
    /// removes, the reflected one does not (measurements: docs/style-transfer.md, "Style loss, before
    /// and after").
    /// </summary>
    public Task<StyleLossParts> MeasureAsync(ReadOnlyMemory<byte> state, ImageTensor? image = null, CancellationToken cancellationToken = default)
    {
        return Task.Run(() =>
        {
            var style = StyleState.Deserialize(state);
            var x = image ?? StyleCanvas.Crop(style.Image, style.Margin);
            if ((x.Height, x.Width) != style.OutputSize)
            {
                throw new ArgumentException($"The image is {x.Width}x{x.Height}; the state's scale is {style.OutputSize.Width}x{style.OutputSize.Height}.", nameof(image));
            }
            using var model = StyleModel.Resolve(Graphs, Sessions, style.Settings, style.Masks.Count > 0);
            var canvas = StyleCanvas.Pad(x, style.Margin);
            using var objective = CreateObjective(model, ScaleInputs.Prepare(style, style.OutputSize, style.Margin), canvas.Height, canvas.Width, cancellationToken);
            return objective.Measure(canvas.Data, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// The objective of the state's current scale (targets computed, graphs loaded), for timing and
    /// diagnostics: the same one <see cref="RunChunkAsync"/> optimizes (on the canvas: output plus
    /// margin), without the range penalty.
    /// </summary>
    public IStyleObjective CreateObjective(ReadOnlyMemory<byte> state, CancellationToken cancellationToken = default)
    {
        var style = StyleState.Deserialize(state);
        var (height, width) = (style.Image.Height, style.Image.Width);
        // The objective retains the model (and its session leases) until it is disposed.
        using var model = StyleModel.Resolve(Graphs, Sessions, style.Settings, style.Masks.Count > 0);
        return CreateObjective(model, ScaleInputs.Prepare(style, style.OutputSize, style.Margin), height, width, cancellationToken);
    }

    /// <summary>
    /// The canvas as the network sees it at the state's current scale when started from the content
    /// (gray under luminance transfer, with the reflected margin): the size <see cref="CreateObjective(ReadOnlyMemory{byte}, CancellationToken)"/> takes.
    /// </summary>
    public ImageTensor ContentAtCurrentScale(ReadOnlyMemory<byte> state)
    {
        var style = StyleState.Deserialize(state);
        return ScaleInputs.Prepare(style, style.OutputSize, style.Margin).Content;
    }

    protected override EngineCheckpoint Start(ArtworkInputs inputs, CancellationToken cancellationToken)
    {
        var settings = StyleSettings.FromJson(inputs.ParametersJson);
        settings = settings with { Model = settings.Model ?? Options.Model };
        var styleInputs = inputs.Extras.Where(e => IsRole(e, StyleRole)).ToList();
        var initInputs = inputs.Extras.Where(e => IsRole(e, InitRole)).ToList();
        var maskInputs = inputs.Extras.Where(e => IsRole(e, MaskRole)).ToList();
        var styleMaskInputs = inputs.Extras.Where(e => IsRole(e, StyleMaskRole)).ToList();
        CheckExtras(settings, styleInputs.Count, initInputs.Count, maskInputs.Count, styleMaskInputs.Count);

        // Resolve taps and compile (or find) the graphs now, so that a bad layer fails the job at once.
        using var model = StyleModel.Resolve(Graphs, Sessions, settings, masked: maskInputs.Count > 0);
        model.TargetsSession();
        model.ObjectiveSession();

        cancellationToken.ThrowIfCancellationRequested();
        var largest = settings.Scales[^1];
        using var source = Loader.Decode(inputs.Source, EngineDescriptor.SourceRole);
        FitWithin(source, largest);
        var first = StylePlan.Fit(source.Height, source.Width, settings.Scales[0]);
        if (Math.Min(first.Height, first.Width) < StylePlan.MinSide)
        {
            throw new InvalidArtworkInputException(
                $"At the first scale ({settings.Scales[0]} px) the source image would be {first.Width}x{first.Height}; each side must be at least {StylePlan.MinSide} px. Use a larger first scale.", "scales");
        }

        if (settings.Optimizer == OptimizerKinds.Lbfgs)
        {
            var last = StylePlan.Fit(source.Height, source.Width, largest);
            var canvas = StyleCanvas.Size(last, StyleCanvas.MarginFor(last, settings.Margin));
            var values = (long)ImageTensor.Channels * canvas.Height * canvas.Width;
            if (settings.HistoryFor(values) == 0)
            {
                var needed = (2 + StyleSettings.LbfgsFixedVectors) * values * sizeof(float) >> 20;
                throw new InvalidArtworkInputException(
                    $"L-BFGS at {last.Width}x{last.Height} needs at least {needed} MiB for its vectors, over the optimizer memory budget of {settings.OptimizerMemoryMb} MiB; " +
                    "use the adam optimizer for images this large, or a smaller last scale.", "optimizer");
            }
        }

        var styleSide = Math.Max(StylePlan.MinSide, (int)Math.Ceiling(largest * (double)settings.StyleScale));
        var styles = new List<StoredImage>();
        var styleMasks = new List<StoredImage>();
        for (var i = 0; i < styleInputs.Count; i++)
        {
            using var style = Loader.Decode(styleInputs[i].Bytes, StyleRole, $"the style image '{styleInputs[i].Name}'");
            var maskInput = styleMaskInputs.Count > 0 ? styleMaskInputs[i] : null;
            using var mask = maskInput is null ? null : Loader.Decode(maskInput.Bytes, StyleMaskRole, $"the style mask '{maskInput.Name}'");
            if (mask is not null) CheckShape(mask, style, $"The style mask '{maskInput!.Name}'", $"the style image '{styleInputs[i].Name}'", "style image's", StyleMaskRole);
            if (settings.StyleFrames == StyleFrameModes.Trim && StyleFrame.Trim(style, mask))
            {
                Logger.LogInformation("Trimmed a uniform frame from the style image '{Name}' ({Width}x{Height} left).", styleInputs[i].Name, style.Width, style.Height);
            }
            FitWithin(style, styleSide);
            styles.Add(ScaleInputs.Store(style));
            if (mask is null) continue;
            FitWithin(mask, styleSide);
            var stored = ScaleInputs.Store(mask);
            if (stored.Rgb.All(b => b == 0))
            {
                throw new InvalidArtworkInputException(
                    $"The style mask '{maskInput!.Name}' is black everywhere (inside any trimmed frame), so no part of its style image would be used; white marks the part to use.", StyleMaskRole);
            }
            styleMasks.Add(stored);
        }
        var masks = new List<StoredImage>();
        foreach (var maskInput in maskInputs)
        {
            using var mask = Loader.Decode(maskInput.Bytes, MaskRole, $"the mask '{maskInput.Name}'");
            CheckShape(mask, source, $"The mask '{maskInput.Name}'", "the source", "source's", MaskRole);
            FitWithin(mask, largest);
            var stored = ScaleInputs.Store(mask);
            if (stored.Rgb.All(b => b == 0))
            {
                throw new InvalidArtworkInputException($"The mask '{maskInput.Name}' is black everywhere, so its style would apply nowhere; white marks where it applies.", MaskRole);
            }
            masks.Add(stored);
        }
        var init = StoredImage.Empty;
        if (initInputs.Count == 1)
        {
            using var image = Loader.Decode(initInputs[0].Bytes, InitRole, $"the init image '{initInputs[0].Name}'");
            FitWithin(image, largest);
            init = ScaleInputs.Store(image);
        }

        settings = settings with { Seed = PlanLimits.SeedOr(settings.Seed) };
        var state = new StyleState
        {
            Settings = settings,
            Content = ScaleInputs.Store(source),
            Styles = styles,
            Init = init,
            Masks = masks,
            StyleMasks = styleMasks,
            RandomState = (ulong)settings.Seed.Value,
            Image = new ImageTensor(first.Height, first.Width),
        };
        state.Image = InitialImage(state, first, state.Margin);
        Logger.LogInformation(
            "Style transfer started: source {Width}x{Height}, {Styles} style image(s), scales {Scales}, {Iterations} {Optimizer} iterations each, smoothing {Smoothing}, seed {Seed}.",
            source.Width, source.Height, styles.Count, string.Join(",", settings.Scales), settings.Iterations, settings.Optimizer,
            model.RequestedSmoothing is null ? "off" : model.RequestedSmoothing.CacheKey +
                (model.DroppedStyleTaps.Count > 0 ? $" (style terms of {string.Join(", ", model.DroppedStyleTaps)} scaled below float precision: not computed)" : ""),
            settings.Seed);
        return new EngineCheckpoint(state.Serialize(), state.Progress());
    }

    /// <summary>A mask is stretched to its image, so it must have that image's aspect ratio (within rounding).</summary>
    private static void CheckShape(Image<Rgb24> mask, Image<Rgb24> image, string what, string imageName, string owner, string field)
    {
        var aspect = (double)mask.Width / mask.Height / ((double)image.Width / image.Height);
        if (Math.Abs(aspect - 1) > MaskAspectTolerance)
        {
            throw new InvalidArtworkInputException(
                $"{what} is {mask.Width}x{mask.Height} but {imageName} is {image.Width}x{image.Height}; a mask must have the {owner} shape (it is stretched to it).", field);
        }
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

        var settings = state.Settings;
        using var model = StyleModel.Resolve(Graphs, Sessions, settings, state.Masks.Count > 0);
        var (height, width) = (state.Image.Height, state.Image.Width);
        using var objective = CreateObjective(model, ScaleInputs.Prepare(state, state.OutputSize, state.Margin), height, width, cancellationToken);
        var function = new StyleLossFunction(objective, settings.RangeWeight);
        var optimizer = state.OptimizerBytes.IsEmpty ? CreateOptimizer(settings, state.Image.Data.Length) : ReadOptimizer(state.OptimizerBytes);
        state.OptimizerBytes = ReadOnlyMemory<byte>.Empty;
        var evaluationsBefore = optimizer.Evaluations;

        for (var done = 0; done < maxIterations && state.Iteration < settings.Iterations; done++)
        {
            optimizer.Step(state.Image.Data, function.Evaluate, cancellationToken);
            state.Iteration++;
            state.CompletedIterations++;
            state.LastLoss = optimizer.Loss;
            progress?.Report(state.Progress());
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
        return new ChunkRun(new EngineCheckpoint(state.Serialize(), state.Progress()), () => Render(state), state.Settings.ToJson());
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

    private static Image<Rgb24> Render(StyleState state)
    {
        var image = StyleCanvas.Crop(state.Image, state.Margin);
        if (state.Settings.PreserveColors == PreserveColorModes.Luminance)
        {
            var color = ScaleInputs.Resized(state.Content, image.Height, image.Width);
            image = ColorTransfer.CombineLuminance(image, color);
        }
        return image.ToImage();
    }

    private static bool IsRole(NamedImage image, string role) => string.Equals(image.Role, role, StringComparison.Ordinal);
}
