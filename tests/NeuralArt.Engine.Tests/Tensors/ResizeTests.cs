using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Tensors;

public class ResizeTests
{
    [Fact]
    public void Same_size_is_the_identity()
    {
        var t = TestImages.RandomTensor(13, 17, seed: 1);
        Assert.Equal(t.Data, Resize.Bilinear(t, 13, 17).Data);
    }

    [Theory]
    [InlineData(20, 30, 7, 11)]
    [InlineData(7, 11, 20, 30)]
    [InlineData(9, 9, 14, 5)]
    public void Linear_ramps_stay_linear_and_corners_stay_put(int h, int w, int outH, int outW)
    {
        var t = new ImageTensor(h, w);
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                    t[c, y, x] = 0.1f * c + 0.5f * y / (h - 1) + 0.25f * x / (w - 1);

        var r = Resize.Bilinear(t, outH, outW);

        for (var c = 0; c < 3; c++)
            for (var y = 0; y < outH; y++)
                for (var x = 0; x < outW; x++)
                    Assert.Equal(0.1 * c + 0.5 * y / (outH - 1) + 0.25 * x / (outW - 1), r[c, y, x], 1e-5);
        Assert.Equal(t[1, h - 1, w - 1], r[1, outH - 1, outW - 1]);
        Assert.Equal(t[2, 0, 0], r[2, 0, 0]);
    }

    [Fact]
    public void Values_stay_within_the_input_range_and_constants_stay_constant()
    {
        var t = TestImages.RandomTensor(31, 23, seed: 2);
        var r = Resize.Bilinear(t, 50, 9);
        Assert.All(r.Data, v => Assert.InRange(v, t.Data.Min(), t.Data.Max()));

        var constant = new ImageTensor(5, 6);
        Array.Fill(constant.Data, 0.375f);
        Assert.All(Resize.Bilinear(constant, 17, 3).Data, v => Assert.Equal(0.375f, v));
    }

    [Fact]
    public void Is_deterministic()
    {
        var t = TestImages.RandomTensor(40, 60, seed: 3);
        Assert.Equal(Resize.Bilinear(t, 29, 43).Data, Resize.Bilinear(t, 29, 43).Data);
    }
}
