using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Style;

/// <summary>
/// The optimized canvas of a style transfer: the output image with a reflected margin on every side
/// (<see cref="StyleSettings.Margin"/>), cropped away when the image is rendered. The network's zero
/// padding makes positions next to an image edge special: there the optimizer lowers the style loss
/// by darkening, which left dark bands along the output's edges. With a margin, the edges the network
/// sees are the canvas's, and the output's own border rows are optimized like interior ones.
/// </summary>
internal static class StyleCanvas
{
    /// <summary>The margin in pixels for an output of <paramref name="size"/>: a fraction of its long side.</summary>
    public static int MarginFor((int Height, int Width) size, float margin) =>
        (int)Math.Round(Math.Max(size.Height, size.Width) * (double)margin, MidpointRounding.AwayFromZero);

    /// <summary>The canvas size for an output of <paramref name="size"/> with <paramref name="margin"/> pixels on each side.</summary>
    public static (int Height, int Width) Size((int Height, int Width) size, int margin) => (size.Height + 2 * margin, size.Width + 2 * margin);

    /// <summary>
    /// <paramref name="image"/> with <paramref name="margin"/> pixels of mirror reflection (the edge
    /// pixel not repeated, as numpy's <c>reflect</c>) on each side; margins wider than the image fold again.
    /// </summary>
    public static ImageTensor Pad(ImageTensor image, int margin)
    {
        if (margin == 0) return image;
        var (h, w) = (image.Height, image.Width);
        var result = new ImageTensor(h + 2 * margin, w + 2 * margin);
        var rows = Enumerable.Range(-margin, result.Height).Select(y => Reflect(y, h)).ToArray();
        var columns = Enumerable.Range(-margin, result.Width).Select(x => Reflect(x, w)).ToArray();
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            ReadOnlySpan<float> src = image.Plane(c);
            var dst = result.Plane(c);
            for (var y = 0; y < result.Height; y++)
            {
                var from = src.Slice(rows[y] * w, w);
                var to = dst.Slice(y * result.Width, result.Width);
                for (var x = 0; x < to.Length; x++) to[x] = from[columns[x]];
            }
        }
        return result;
    }

    /// <summary>One row-major plane of <paramref name="height"/> x <paramref name="width"/>, padded as <see cref="Pad"/> pads images.</summary>
    public static float[] PadPlane(float[] plane, int height, int width, int margin)
    {
        if (margin == 0) return plane;
        var padded = Pad(new ImageTensor(height, width, [.. plane, .. plane, .. plane]), margin);
        return padded.Plane(0).ToArray();
    }

    /// <summary>The output region of a canvas: <paramref name="margin"/> pixels cut from each side.</summary>
    public static ImageTensor Crop(ImageTensor canvas, int margin)
    {
        if (margin == 0) return canvas;
        var (h, w) = (canvas.Height - 2 * margin, canvas.Width - 2 * margin);
        if (h <= 0 || w <= 0) throw new ArgumentOutOfRangeException(nameof(margin), $"A {canvas.Width}x{canvas.Height} canvas has no {margin} px margin.");
        var result = new ImageTensor(h, w);
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            ReadOnlySpan<float> src = canvas.Plane(c);
            var dst = result.Plane(c);
            for (var y = 0; y < h; y++) src.Slice((y + margin) * canvas.Width + margin, w).CopyTo(dst.Slice(y * w, w));
        }
        return result;
    }

    /// <summary>Index <paramref name="i"/> (possibly outside 0..n-1) mirrored into the image, period 2(n-1).</summary>
    internal static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        var period = 2 * (n - 1);
        var k = ((i % period) + period) % period;
        return k < n ? k : period - k;
    }
}
