using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Dream;

/// <summary>
/// The image sizes of a multi-octave dream, smallest first: octave <c>o</c> of <c>n</c> is the
/// working image scaled down by <c>scale^(n-1-o)</c>, never below <see cref="DreamSettings.MinImageSide"/>
/// (or the image's own size, if smaller). Octave images are made as in Google's notebook: each one
/// from the next larger one by bilinear zoom.
/// </summary>
public static class OctavePlan
{
    public static IReadOnlyList<(int Height, int Width)> Sizes(int height, int width, int octaves, float scale)
    {
        var sizes = new (int, int)[octaves];
        for (var o = 0; o < octaves; o++)
        {
            var factor = Math.Pow(scale, octaves - 1 - o);
            sizes[o] = (Shrink(height, factor), Shrink(width, factor));
        }
        return sizes;
    }

    /// <summary>Octave base images, smallest first; the last one is <paramref name="image"/> itself.</summary>
    public static IReadOnlyList<ImageTensor> Bases(ImageTensor image, IReadOnlyList<(int Height, int Width)> sizes)
    {
        var bases = new ImageTensor[sizes.Count];
        bases[^1] = image;
        for (var o = sizes.Count - 2; o >= 0; o--)
        {
            bases[o] = Resize.Bilinear(bases[o + 1], sizes[o].Height, sizes[o].Width);
        }
        return bases;
    }

    private static int Shrink(int side, double factor) =>
        Math.Max(Math.Min(side, DreamSettings.MinImageSide), (int)Math.Round(side / factor, MidpointRounding.AwayFromZero));
}
