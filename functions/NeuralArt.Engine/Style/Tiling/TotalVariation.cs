using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Style.Tiling;

/// <summary>
/// The total-variation term of the style objective on a whole planar [3,H,W] image, as the compiled
/// untiled graph computes it: <c>w * (sum dh^2 + sum dw^2) / (3 H W)</c>, gradient added in place.
/// The tiled path computes it here: it is local and cheap, and needs no halo.
/// </summary>
internal static class TotalVariation
{
    /// <param name="gradient">Where to add the gradient; empty to compute the value only.</param>
    public static double AddGradient(ReadOnlySpan<float> image, Span<float> gradient, int height, int width, double weight)
    {
        var wantGradient = !gradient.IsEmpty;
        var count = (double)ImageTensor.Channels * height * width;
        var scale = (float)(2 * weight / count);
        double sum = 0;
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            var plane = c * height * width;
            for (var y = 0; y < height; y++)
            {
                var row = plane + y * width;
                for (var x = 0; x < width; x++)
                {
                    var v = image[row + x];
                    if (y + 1 < height)
                    {
                        var d = image[row + width + x] - v;
                        sum += (double)d * d;
                        if (wantGradient)
                        {
                            gradient[row + width + x] += scale * d;
                            gradient[row + x] -= scale * d;
                        }
                    }
                    if (x + 1 < width)
                    {
                        var d = image[row + x + 1] - v;
                        sum += (double)d * d;
                        if (wantGradient)
                        {
                            gradient[row + x + 1] += scale * d;
                            gradient[row + x] -= scale * d;
                        }
                    }
                }
            }
        }
        return weight * sum / count;
    }
}
