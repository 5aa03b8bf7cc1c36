using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>Uniform frames around style images are found and trimmed; pictures without one are left alone.</summary>
public sealed class StyleFrameTests(StyleTestKit kit, ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    [Fact]
    public void A_black_frame_is_trimmed_exactly()
    {
        const int width = 240, height = 200, frame = 5; // the frame within the 5% limit (10 rows, 12 columns)
        using var image = TestImages.Pattern(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (Math.Min(Math.Min(x, width - 1 - x), Math.Min(y, height - 1 - y)) < frame) image[x, y] = new Rgb24(1, 2, 0);
            }
        }
        var inside = StyleFrame.Inside(image);
        Assert.Equal(new Rectangle(frame, frame, width - 2 * frame, height - 2 * frame), inside);
    }

    [Fact]
    public void Pictures_without_a_frame_are_left_alone()
    {
        using var pattern = TestImages.Pattern(90, 70);
        Assert.False(StyleFrame.Trim(pattern));
        using var scream = Image.Load<Rgb24>(kit.Scream);
        Assert.Equal(new Rectangle(0, 0, scream.Width, scream.Height), StyleFrame.Inside(scream));
    }

    [Fact]
    public void The_bundled_starry_night_loses_its_black_frame_only()
    {
        using var starry = Image.Load<Rgb24>(kit.StarryNight);
        var inside = StyleFrame.Inside(starry);
        output.WriteLine($"{starry.Width}x{starry.Height}: inside {inside}");
        // A few pixels on every side (the frame), far less than the trim limit.
        Assert.InRange(inside.Left, 1, 12);
        Assert.InRange(inside.Top, 1, 12);
        Assert.InRange(starry.Width - inside.Right, 1, 12);
        Assert.InRange(starry.Height - inside.Bottom, 1, 12);
        // What is left starts with painted rows and columns, not black ones.
        using var trimmed = starry.Clone(x => x.Crop(inside));
        Assert.Equal(new Rectangle(0, 0, trimmed.Width, trimmed.Height), StyleFrame.Inside(trimmed));
    }
}
