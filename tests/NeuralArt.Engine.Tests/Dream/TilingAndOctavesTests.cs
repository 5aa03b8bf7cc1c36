using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Dream;

public class TilingAndOctavesTests
{
    [Theory]
    [InlineData(100, 80, 512)]
    [InlineData(1024, 731, 512)]
    [InlineData(1025, 1024, 512)]
    [InlineData(700, 64, 64)]
    public void Tiles_cover_the_image_once_with_balanced_sizes(int height, int width, int tileSize)
    {
        var tiles = Tiling.Layout(height, width, tileSize);
        var covered = new int[height, width];
        foreach (var t in tiles)
        {
            Assert.InRange(t.Height, 1, tileSize);
            Assert.InRange(t.Width, 1, tileSize);
            if (height > tileSize) Assert.True(t.Height > tileSize / 2);
            if (width > tileSize) Assert.True(t.Width > tileSize / 2);
            for (var y = t.Y; y < t.Y + t.Height; y++)
                for (var x = t.X; x < t.X + t.Width; x++)
                    covered[y, x]++;
        }
        Assert.All(covered.Cast<int>(), c => Assert.Equal(1, c));
        Assert.Equal(height <= tileSize && width <= tileSize, tiles.Count == 1);
    }

    [Fact]
    public void Octave_sizes_grow_by_the_scale_up_to_the_image()
    {
        var sizes = OctavePlan.Sizes(300, 451, 4, 1.4f);
        Assert.Equal((300, 451), sizes[^1]);
        Assert.Equal((109, 164), sizes[0]);
        for (var i = 1; i < sizes.Count; i++)
        {
            Assert.InRange(sizes[i].Width / (double)sizes[i - 1].Width, 1.35, 1.45);
        }
    }

    [Fact]
    public void Octave_sizes_never_go_below_the_minimum()
    {
        var sizes = OctavePlan.Sizes(40, 200, 6, 2f);
        Assert.All(sizes, s => Assert.True(s.Height >= DreamSettings.MinImageSide && s.Width >= DreamSettings.MinImageSide));
        Assert.Equal((20, 4), (OctavePlan.Sizes(20, 4, 3, 2f)[0].Height, OctavePlan.Sizes(20, 4, 3, 2f)[0].Width));
    }

    [Fact]
    public void Octave_bases_are_zoomed_from_the_next_larger_one()
    {
        var image = TestImages.RandomTensor(30, 45, seed: 20);
        var sizes = OctavePlan.Sizes(30, 45, 3, 1.5f);
        var bases = OctavePlan.Bases(image, sizes);
        Assert.Same(image, bases[^1]);
        Assert.Equal(NeuralArt.Engine.Tensors.Resize.Bilinear(bases[1], sizes[0].Height, sizes[0].Width).Data, bases[0].Data);
    }
}
