using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Style;

/// <summary>
/// Finds and trims a uniform frame around a style image (a scan's black border, letterboxing): rows
/// and columns at the edges whose pixels are all nearly the same colour. A frame is not part of a
/// painting's style, but its Gram statistics are: the bundled Starry Night has a 7 px black frame,
/// and transfers with it painted dark bands along their own edges, where the network's zero
/// padding makes such a band cheapest to imitate.
/// </summary>
internal static class StyleFrame
{
    /// <summary>At most this fraction of each side is trimmed: a frame is thin, a dark sky is not.</summary>
    public const double MaxTrimFraction = 0.05;

    /// <summary>A line is uniform when the standard deviation of its pixels (each channel, 0-255) is below this (JPEG noise on black stays under 2).</summary>
    public const double UniformLineDeviation = 4;

    /// <summary>The region left after trimming uniform lines from each side (the whole image when there is no frame).</summary>
    public static Rectangle Inside(Image<Rgb24> image)
    {
        int top = 0, bottom = image.Height, left = 0, right = image.Width;
        var maxRows = (int)(image.Height * MaxTrimFraction);
        var maxColumns = (int)(image.Width * MaxTrimFraction);
        while (top < maxRows && Uniform(image, top, top + 1, left, right)) top++;
        while (image.Height - bottom < maxRows && Uniform(image, bottom - 1, bottom, left, right)) bottom--;
        while (left < maxColumns && Uniform(image, top, bottom, left, left + 1)) left++;
        while (image.Width - right < maxColumns && Uniform(image, top, bottom, right - 1, right)) right--;
        return new Rectangle(left, top, right - left, bottom - top);
    }

    /// <summary>
    /// Trims the frame in place, and the same part of the image's <paramref name="mask"/> (which may
    /// have another size with the same shape: the region is scaled to it); returns whether there was one.
    /// </summary>
    public static bool Trim(Image<Rgb24> image, Image<Rgb24>? mask = null)
    {
        var inside = Inside(image);
        if (inside.Width == image.Width && inside.Height == image.Height) return false;
        if (mask is not null)
        {
            var region = Scaled(inside, image.Size(), mask.Size());
            mask.Mutate(x => x.Crop(region));
        }
        image.Mutate(x => x.Crop(inside));
        return true;
    }

    /// <summary><paramref name="region"/> of an image of size <paramref name="from"/> in an image of size <paramref name="to"/> (edges rounded, at least 1 px).</summary>
    public static Rectangle Scaled(Rectangle region, Size from, Size to)
    {
        if (from == to) return region;
        static int At(int edge, int fromSize, int toSize) => (int)Math.Round((double)edge * toSize / fromSize, MidpointRounding.AwayFromZero);
        var left = At(region.Left, from.Width, to.Width);
        var top = At(region.Top, from.Height, to.Height);
        var right = Math.Max(left + 1, At(region.Right, from.Width, to.Width));
        var bottom = Math.Max(top + 1, At(region.Bottom, from.Height, to.Height));
        return Rectangle.FromLTRB(left, top, right, bottom);
    }

    private static bool Uniform(Image<Rgb24> image, int y0, int y1, int x0, int x1)
    {
        Span<double> sum = stackalloc double[3];
        Span<double> squares = stackalloc double[3];
        var n = (double)(y1 - y0) * (x1 - x0);
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                var p = image[x, y];
                sum[0] += p.R; sum[1] += p.G; sum[2] += p.B;
                squares[0] += p.R * p.R; squares[1] += p.G * p.G; squares[2] += p.B * p.B;
            }
        }
        for (var c = 0; c < 3; c++)
        {
            var mean = sum[c] / n;
            if (Math.Sqrt(Math.Max(0, squares[c] / n - mean * mean)) >= UniformLineDeviation) return false;
        }
        return true;
    }
}
