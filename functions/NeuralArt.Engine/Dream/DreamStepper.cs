using NeuralArt.Engine.Common;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Dream;

/// <summary>
/// One DeepDream gradient-ascent step on the host (see <see cref="DeviceDreamStepper"/> for the
/// device-resident variant of untiled steps), as in Google's notebook: shift the image by a random
/// jitter, take the objective's gradient (per tile when the image is larger than the tile size; the
/// random shift also moves the tile seams), divide it by its mean absolute value, add
/// <c>step</c> times it to the image, undo the shift, and clamp to [0,1].
/// </summary>
internal sealed class DreamStepper
{
    /// <summary>Keeps the normalization finite where the gradient vanishes (all ReLUs dead).</summary>
    private const double NormalizationEpsilon = 1e-12;

    private readonly GradientRunner _runner;
    private readonly DreamSettings _settings;
    private ImageTensor? _rolled;
    private ImageTensor? _grad;

    public DreamStepper(GradientRunner runner, DreamSettings settings)
    {
        _runner = runner;
        _settings = settings;
    }

    /// <summary>Updates <paramref name="image"/> in place and returns the objective (area-weighted over tiles).</summary>
    public double Step(ImageTensor image, ref SplitMix64 random, CancellationToken cancellationToken)
    {
        int h = image.Height, w = image.Width;
        var jitter = _settings.Jitter;
        var dy = random.Next(-jitter, jitter + 1);
        var dx = random.Next(-jitter, jitter + 1);
        var tiles = Tiling.Layout(h, w, _settings.TileSize);

        double loss;
        if (tiles.Count == 1)
        {
            // Roll straight into the bound input buffer: no copy besides the roll itself.
            var buffers = _runner.Buffers(h, w);
            TensorOps.Roll(image.Data, buffers.Input, h, w, dy, dx);
            loss = _runner.Run(buffers, cancellationToken);
            Ascend(image, buffers.Grad, dy, dx);
            return loss;
        }

        dy += random.Next(0, _settings.TileSize);
        dx += random.Next(0, _settings.TileSize);
        var rolled = Reuse(ref _rolled, h, w);
        var grad = Reuse(ref _grad, h, w);
        TensorOps.Roll(image, rolled, dy, dx);
        var weighted = 0.0;
        foreach (var tile in tiles)
        {
            var buffers = _runner.Buffers(tile.Height, tile.Width);
            var tileSize = (tile.Height, tile.Width);
            TensorOps.CopyRegion(rolled.Data, (h, w), tile.Y, tile.X, buffers.Input, tileSize, 0, 0, tile.Height, tile.Width);
            weighted += (double)_runner.Run(buffers, cancellationToken) * tile.Height * tile.Width;
            TensorOps.CopyRegion(buffers.Grad, tileSize, 0, 0, grad.Data, (h, w), tile.Y, tile.X, tile.Height, tile.Width);
        }
        loss = weighted / ((double)h * w);
        Ascend(image, grad.Data, dy, dx);
        return loss;
    }

    /// <summary>Normalized gradient ascent in the image's own (unrolled) coordinates, then clamping.</summary>
    private void Ascend(ImageTensor image, ReadOnlySpan<float> rolledGrad, int dy, int dx)
    {
        var scale = (float)(_settings.Step / (TensorOps.MeanAbs(rolledGrad) + NormalizationEpsilon));
        TensorOps.AddRolledScaled(image, rolledGrad, dy, dx, scale);
        TensorOps.Clamp(image, 0f, 1f);
    }

    private static ImageTensor Reuse(ref ImageTensor? tensor, int height, int width)
    {
        if (tensor is null || tensor.Height != height || tensor.Width != width) tensor = new ImageTensor(height, width);
        return tensor;
    }
}
