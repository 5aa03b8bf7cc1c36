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

    [Fact]
    public void Weighted_matching_takes_the_statistics_of_the_masked_parts_only()
    {
        // Style: a muted left half and a saturated red right half; content: a bluish left half and a
        // bright right half. With the left halves as weights (a style mask and a region mask), the
        // style's left half gets the content's left half's colour mean and covariance.
        const int side = 20, half = side / 2;
        var style = TestImages.RandomTensor(side, side, seed: 8);
        var content = TestImages.RandomTensor(side, side, seed: 9);
        var n = side * side;
        var left = new float[n];
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                var p = y * side + x;
                var inLeft = x < half;
                left[p] = inLeft ? 1f : 0f;
                var r = style.Data[p];
                style.Data[p] = inLeft ? 0.3f + 0.2f * r : 0.9f;
                style.Data[n + p] = inLeft ? 0.35f + 0.1f * r + 0.1f * style.Data[n + p] : 0.1f;
                style.Data[2 * n + p] = inLeft ? 0.4f + 0.2f * style.Data[2 * n + p] : 0.1f;
                var c = content.Data[p];
                content.Data[p] = inLeft ? 0.2f + 0.2f * c : 0.9f;
                content.Data[n + p] = inLeft ? 0.3f + 0.1f * c + 0.1f * content.Data[n + p] : 0.85f + 0.1f * content.Data[n + p];
                content.Data[2 * n + p] = inLeft ? 0.5f + 0.2f * content.Data[2 * n + p] : 0.8f;
            }
        }

        var matched = ColorTransfer.MatchHistogram(style, content, left, left);
        var (mm, cm) = ColorTransfer.MeanCovariance(TestImages.Columns(matched, 0, half));
        var (mc, cc) = ColorTransfer.MeanCovariance(TestImages.Columns(content, 0, half));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(mc[i], mm[i], 4);
            for (var j = 0; j < 3; j++) Assert.Equal(cc[i, j], cm[i, j], 4);
        }

        // Whole-image statistics would have matched something else: the halves differ too much.
        var (wholeMean, _) = ColorTransfer.MeanCovariance(TestImages.Columns(ColorTransfer.MatchHistogram(style, content), 0, half));
        Assert.True(Enumerable.Range(0, 3).Max(i => Math.Abs(wholeMean[i] - mc[i])) > 0.05);

        var gray = ColorTransfer.Luminance(style);
        var grayContent = ColorTransfer.Luminance(content);
        var (m1, s1) = MeanStd(TestImages.Columns(ColorTransfer.MatchLuminance(gray, grayContent, left, left), 0, half).Plane(0).ToArray());
        var (m2, s2) = MeanStd(TestImages.Columns(grayContent, 0, half).Plane(0).ToArray());
        Assert.Equal(m2, m1, 5);
        Assert.Equal(s2, s1, 5);
    }

    [Fact]
    public void Weights_of_ones_give_the_unweighted_statistics_bit_for_bit()
    {
        var style = TestImages.RandomTensor(9, 11, seed: 10);
        var content = TestImages.RandomTensor(9, 11, seed: 11);
        var ones = Enumerable.Repeat(1f, 99).ToArray();
        Assert.Equal(ColorTransfer.MatchHistogram(style, content).Data, ColorTransfer.MatchHistogram(style, content, ones, ones).Data);
        Assert.Equal(ColorTransfer.MatchLuminance(style, content).Data, ColorTransfer.MatchLuminance(style, content, ones, ones).Data);
    }

    private static (double Mean, double Std) MeanStd(float[] v)
    {
        var mean = v.Average(x => (double)x);
        return (mean, Math.Sqrt(v.Average(x => (x - mean) * (x - mean))));
    }
}
