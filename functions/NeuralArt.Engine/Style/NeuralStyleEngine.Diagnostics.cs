using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Style;

/// <summary>
/// Read-only looks into a style checkpoint for the CLI (progress lines, <c>style</c> benchmarks) and
/// the tests (losses before and after, tiled against whole): nothing here is on the job's path.
/// They stay in the engine because they need its graphs, sessions and internal objective types.
/// </summary>
public sealed partial class NeuralStyleEngine
{
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
}
