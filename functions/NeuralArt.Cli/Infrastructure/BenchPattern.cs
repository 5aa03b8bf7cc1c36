using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>The benchmarks' input: a smooth deterministic colour pattern (the timings do not depend on content).</summary>
internal static class BenchPattern
{
    public static Image<Rgb24> Create(int side)
    {
        var image = new Image<Rgb24>(side, side);
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                image[x, y] = new Rgb24(
                    (byte)(128 + 100 * Math.Sin(0.05 * x)),
                    (byte)(128 + 100 * Math.Sin(0.07 * y)),
                    (byte)(128 + 100 * Math.Sin(0.03 * (x + y))));
            }
        }
        return image;
    }
}
