namespace NeuralArt.Engine.Tensors;

/// <summary>
/// Bilinear resampling of <see cref="ImageTensor"/>s, in our own code so that results are exactly
/// reproducible (chunked renders recompute octave images and must get the same floats). The grid
/// maps corner pixels to corner pixels, as <c>scipy.ndimage.zoom(order=1)</c> does in Google's
/// DeepDream notebook: output pixel <c>o</c> samples input position <c>o * (in - 1) / (out - 1)</c>.
/// Resizing to the same size is the identity, and a linear ramp stays a linear ramp.
/// </summary>
public static class Resize
{
    public static ImageTensor Bilinear(ImageTensor source, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (height == source.Height && width == source.Width) return source.Clone();

        var (y0, y1, wy) = Taps(source.Height, height);
        var (x0, x1, wx) = Taps(source.Width, width);
        var result = new ImageTensor(height, width);
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            ReadOnlySpan<float> src = source.Plane(c);
            var dst = result.Plane(c);
            for (var y = 0; y < height; y++)
            {
                var top = src.Slice(y0[y] * source.Width, source.Width);
                var bottom = src.Slice(y1[y] * source.Width, source.Width);
                var fy = wy[y];
                var row = dst.Slice(y * width, width);
                for (var x = 0; x < width; x++)
                {
                    var fx = wx[x];
                    var t = top[x0[x]] + (top[x1[x]] - top[x0[x]]) * fx;
                    var b = bottom[x0[x]] + (bottom[x1[x]] - bottom[x0[x]]) * fx;
                    row[x] = t + (b - t) * fy;
                }
            }
        }
        return result;
    }

    /// <summary>For each output index: the two input indices and the weight of the second.</summary>
    private static (int[] Lo, int[] Hi, float[] Weight) Taps(int inSize, int outSize)
    {
        var lo = new int[outSize];
        var hi = new int[outSize];
        var weight = new float[outSize];
        for (var o = 0; o < outSize; o++)
        {
            // Exact rational position o*(in-1)/(out-1) in double, so endpoints land exactly on pixels.
            var position = outSize == 1 ? (inSize - 1) / 2.0 : (double)o * (inSize - 1) / (outSize - 1);
            var i = Math.Min((int)Math.Floor(position), inSize - 1);
            lo[o] = i;
            hi[o] = Math.Min(i + 1, inSize - 1);
            weight[o] = (float)(position - i);
        }
        return (lo, hi, weight);
    }
}
