using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Style;

public sealed class ColorTransferTests
{
    [Fact]
    public void Combining_an_image_with_its_own_chroma_gives_it_back()
    {
        var image = TestImages.RandomTensor(12, 17, seed: 1);
        var round = ColorTransfer.CombineLuminance(image, image);
        Assert.All(image.Data.Zip(round.Data), p => Assert.Equal(p.First, p.Second, 5));
    }

    [Fact]
    public void Luminance_transfer_takes_brightness_from_one_image_and_colour_from_the_other()
    {
        var a = TestImages.RandomTensor(8, 8, seed: 2);
        var b = TestImages.RandomTensor(8, 8, seed: 3);
        var combined = ColorTransfer.CombineLuminance(a, b);
        // Same luminance as a ...
        Assert.All(ColorTransfer.Luminance(combined).Plane(0).ToArray().Zip(ColorTransfer.Luminance(a).Plane(0).ToArray()), p => Assert.Equal(p.Second, p.First, 5));
        // ... and the same chroma differences as b (differences between channels do not depend on luminance).
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal(b.Data[i] - b.Data[64 + i], combined.Data[i] - combined.Data[64 + i], 4);
        }
    }

    [Fact]
    public void Matched_luminance_has_the_content_mean_and_deviation()
    {
        var style = ColorTransfer.Luminance(TestImages.RandomTensor(10, 10, seed: 4));
        var content = ColorTransfer.Luminance(TestImages.RandomTensor(10, 10, seed: 5));
        for (var i = 0; i < content.Data.Length; i++) content.Data[i] = 0.2f + 0.3f * content.Data[i];
        var matched = ColorTransfer.MatchLuminance(style, content);
        var (m1, s1) = MeanStd(matched.Plane(0).ToArray());
        var (m2, s2) = MeanStd(content.Plane(0).ToArray());
        Assert.Equal(m2, m1, 5);
        Assert.Equal(s2, s1, 5);
    }

    [Fact]
    public void Histogram_matching_gives_the_style_the_content_colour_mean_and_covariance()
    {
        var style = TestImages.RandomTensor(20, 20, seed: 6);
        var content = TestImages.RandomTensor(20, 20, seed: 7);
        // A content with correlated, shifted colours (kept inside [0,1] so the clamp does not act).
        for (var i = 0; i < 400; i++)
        {
            var r = content.Data[i];
            content.Data[i] = 0.3f + 0.3f * r;
            content.Data[400 + i] = 0.2f + 0.2f * r + 0.1f * content.Data[400 + i];
            content.Data[800 + i] = 0.5f + 0.1f * content.Data[800 + i];
        }
        for (var i = 0; i < style.Data.Length; i++) style.Data[i] = 0.25f + 0.5f * style.Data[i];
        var matched = ColorTransfer.MatchHistogram(style, content);
        var (mm, cm) = ColorTransfer.MeanCovariance(matched);
        var (mc, cc) = ColorTransfer.MeanCovariance(content);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(mc[i], mm[i], 4);
            for (var j = 0; j < 3; j++) Assert.Equal(cc[i, j], cm[i, j], 4);
        }
    }

    private static (double Mean, double Std) MeanStd(float[] v)
    {
        var mean = v.Average(x => (double)x);
        return (mean, Math.Sqrt(v.Average(x => (x - mean) * (x - mean))));
    }
}
