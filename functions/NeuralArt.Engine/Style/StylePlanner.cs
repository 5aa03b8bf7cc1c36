using NeuralArt.Contract;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Optimizers;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Manifests;

namespace NeuralArt.Engine.Style;

/// <summary>
/// A style transfer's plan from image headers alone (no pixel is decoded): the rules that tie the
/// inputs to the parameters, the limits, and the predicted cost (iterations, multiply-adds, peak
/// memory, checkpoint size) that admission compares against the host's budget.
/// </summary>
internal static class StylePlanner
{
    /// <summary>
    /// Objective evaluations per L-BFGS iteration, for cost predictions: the strong Wolfe line search
    /// mostly accepts the first step (measured: 309 evaluations for 300 iterations at 512 px).
    /// </summary>
    private const double LbfgsEvaluationsPerIteration = 1.05;

    /// <summary>Image-sized vectors Adam keeps in its checkpoint (first and second moments).</summary>
    private const int AdamStateVectors = 2;

    /// <summary>Image-sized vectors Adam holds while running (moments, gradient, scratch).</summary>
    private const int AdamWorkingVectors = 4;

    /// <summary>
    /// Plans <paramref name="request"/> with <paramref name="settings"/> (model resolved), using the
    /// taps of <paramref name="model"/>; the cost analysis is asked for only once the cheap checks passed.
    /// </summary>
    public static JobPlan Plan(PlanRequest request, StyleSettings settings, StyleModel model, IGraphSource graphs, BackboneManifest manifest)
    {
        var limits = request.Limits;
        var sources = request.Inputs.Where(i => i.Role == EngineDescriptor.SourceRole).ToList();
        var styles = request.Inputs.Where(i => i.Role == NeuralStyleEngine.StyleRole).ToList();
        var inits = request.Inputs.Where(i => i.Role == NeuralStyleEngine.InitRole).ToList();
        var masks = request.Inputs.Where(i => i.Role == NeuralStyleEngine.MaskRole).ToList();
        var styleMasks = request.Inputs.Where(i => i.Role == NeuralStyleEngine.StyleMaskRole).ToList();
        StyleInputs.CheckCounts(settings, styles.Count, inits.Count, masks.Count, styleMasks.Count);

        var source = sources[0];
        var sizes = StylePlan.Sizes(source.Height, source.Width, settings.Scales);
        CheckFirstScale(settings, sizes[0]);

        var total = (long)settings.Scales.Length * settings.Iterations;
        PlanLimits.Iterations(total, limits, $"{settings.Scales.Length} scales x {settings.Iterations} iterations", StyleSchema.Iterations);
        var last = sizes[^1];
        PlanLimits.WorkingImage(last.Width, last.Height, limits, StyleSchema.Scales);
        // The optimizer works on the canvas: each scale's output plus its reflected margin (StyleCanvas).
        (int Height, int Width) Canvas((int Height, int Width) size) => StyleCanvas.Size(size, StyleCanvas.MarginFor(size, settings.Margin));
        var lastCanvas = Canvas(last);
        var working = (long)lastCanvas.Height * lastCanvas.Width;

        var values3 = (long)ImageTensor.Channels * working;
        var history = LbfgsHistory(settings, last);

        // What the checkpoint stores: the photo (scaled down to the last scale), the style images
        // and their masks (scaled down to the style side), the image and the optimizer's vectors.
        var largest = settings.Scales[^1];
        var styleSide = Math.Max(StylePlan.MinSide, (int)Math.Ceiling(largest * (double)settings.StyleScale));
        long Stored(InputHeader h, int side) { var (w, hh) = PlanSizes.FitWithin(h.Width, h.Height, side); return (long)ImageTensor.Channels * w * hh; }
        var optimizerVectors = settings.Optimizer == OptimizerKinds.Lbfgs ? 2L * history : AdamStateVectors;
        var checkpoint = PlanLimits.CheckpointOverheadBytes + Stored(source, largest) + styles.Sum(s => Stored(s, styleSide)) + inits.Sum(i => Stored(i, largest))
            + masks.Sum(m => Stored(m, largest)) + styleMasks.Sum(m => Stored(m, styleSide)) + sizeof(float) * values3 * (1 + optimizerVectors);
        PlanLimits.Checkpoint(checkpoint, limits, StyleSchema.Scales);

        var cost = graphs.GetCost(manifest, model.StyleTapNames.Concat(model.ContentTapNames).Distinct().ToList());
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

    /// <summary>Refuses a source that would be too small at the first scale (<paramref name="first"/>: its output size there).</summary>
    public static void CheckFirstScale(StyleSettings settings, (int Height, int Width) first)
    {
        if (Math.Min(first.Height, first.Width) < StylePlan.MinSide)
        {
            throw new InvalidArtworkInputException(
                $"At the first scale ({settings.Scales[0]} px) the source image would be {first.Width}x{first.Height}; each side must be at least {StylePlan.MinSide} px. Use a larger first scale.", StyleSchema.Scales);
        }
    }

    /// <summary>
    /// The L-BFGS history that fits the optimizer memory budget at the last scale (<paramref name="last"/>:
    /// its output size; the optimizer works on the canvas), 0 for Adam; refuses L-BFGS when not even one pair fits.
    /// </summary>
    public static int LbfgsHistory(StyleSettings settings, (int Height, int Width) last)
    {
        if (settings.Optimizer != OptimizerKinds.Lbfgs) return 0;
        var canvas = StyleCanvas.Size(last, StyleCanvas.MarginFor(last, settings.Margin));
        var values = (long)ImageTensor.Channels * canvas.Height * canvas.Width;
        var history = settings.HistoryFor(values);
        if (history == 0)
        {
            var needed = (2 + StyleSettings.LbfgsFixedVectors) * values * sizeof(float) >> 20;
            throw new InvalidArtworkInputException(
                $"L-BFGS at {last.Width}x{last.Height} needs at least {needed} MiB for its vectors, over the optimizer memory budget of {settings.OptimizerMemoryMb} MiB; " +
                "use the adam optimizer for images this large, or a smaller last scale.", StyleSchema.Optimizer);
        }
        return history;
    }
}
