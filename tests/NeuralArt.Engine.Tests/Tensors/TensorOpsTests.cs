using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Tests.TestSupport;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Tests.Tensors;

public class TensorOpsTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, -5)]
    [InlineData(-12, 20)]
    [InlineData(9, 13)]
    public void Roll_matches_numpy_roll(int dy, int dx)
    {
        const int h = 9, w = 13;
        var t = TestImages.RandomTensor(h, w, seed: 4);

        var r = TensorOps.Roll(t, dy, dx);

        for (var c = 0; c < 3; c++)
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                    Assert.Equal(t[c, y, x], r[c, ((y + dy) % h + h) % h, ((x + dx) % w + w) % w]);
    }

    [Fact]
    public void Roll_and_roll_back_is_the_identity()
    {
        var t = TestImages.RandomTensor(10, 7, seed: 5);
        Assert.Equal(t.Data, TensorOps.Roll(TensorOps.Roll(t, 4, -3), -4, 3).Data);
    }

    [Fact]
    public void AddRolledScaled_adds_the_unrolled_gradient()
    {
        var image = TestImages.RandomTensor(8, 11, seed: 6);
        var gradOnRolled = TestImages.RandomTensor(8, 11, seed: 7);
        const int dy = 3, dx = -4;
        var expected = TensorOps.Roll(image, dy, dx);
        TensorOps.AddScaled(expected.Data, gradOnRolled.Data, 0.5f);
        expected = TensorOps.Roll(expected, -dy, -dx);

        TensorOps.AddRolledScaled(image, gradOnRolled.Data, dy, dx, 0.5f);

        Assert.Equal(expected.Data, image.Data);
    }

    [Fact]
    public void Clamp_bounds_values_and_removes_nan()
    {
        var t = new ImageTensor(1, 2, [-0.5f, 0.25f, 1.5f, float.NaN, float.PositiveInfinity, 1f]);
        TensorOps.Clamp(t, 0f, 1f);
        Assert.Equal([0f, 0.25f, 1f, 0f, 1f, 1f], t.Data);
    }

    [Fact]
    public void Add_subtract_and_mean_abs()
    {
        var a = TestImages.RandomTensor(3, 4, seed: 8);
        var b = TestImages.RandomTensor(3, 4, seed: 9);
        var sum = TensorOps.Add(a, b);
        Assert.Equal(a.Data, TensorOps.Subtract(sum, b).Data.Select(v => v).ToArray(), new ToleranceComparer(1e-6f));
        Assert.Equal(1.5, TensorOps.MeanAbs([1f, -2f, 0f, -3f]));
        Assert.Throws<ArgumentException>(() => TensorOps.Add(a, new ImageTensor(4, 3)));
    }

    [Fact]
    public void CopyRegion_copies_a_window()
    {
        var source = TestImages.RandomTensor(6, 7, seed: 10);
        var destination = new ImageTensor(4, 4);
        TensorOps.CopyRegion(source, 2, 3, destination, 1, 0, 3, 4);
        Assert.Equal(source[2, 4, 6], destination[2, 3, 3]);
        Assert.Equal(source[0, 2, 3], destination[0, 1, 0]);
        Assert.Equal(0f, destination[1, 0, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorOps.CopyRegion(source, 4, 0, destination, 0, 0, 3, 3));
    }

    [Fact]
    public void Bytes_to_floats_and_back_is_exact()
    {
        using var image = TestImages.Pattern(17, 9);
        var tensor = image.ToTensor();
        Assert.Equal(image[16, 8].R / 255f, tensor[0, 8, 16]);
        using var back = tensor.ToImage();
        for (var y = 0; y < 9; y++)
            for (var x = 0; x < 17; x++)
                Assert.Equal(image[x, y], back[x, y]);
        Assert.Equal(new Rgb24(0, 0, 0), new ImageTensor(1, 1, [-1f, float.NaN, 0f]).ToImage()[0, 0]);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
