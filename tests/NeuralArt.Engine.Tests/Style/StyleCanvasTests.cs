using NeuralArt.Contract;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>The reflected margin of the optimized canvas, and the area resampling of masks to the taps.</summary>
public sealed class StyleCanvasTests
{
    [Fact]
    public void Pad_reflects_without_repeating_the_edge_and_crop_undoes_it()
    {
        var image = TestImages.RandomTensor(5, 7, seed: 2);
        const int margin = 3;
        var canvas = StyleCanvas.Pad(image, margin);
        Assert.Equal((11, 13), (canvas.Height, canvas.Width));
        for (var c = 0; c < 3; c++)
        {
            // numpy 'reflect': index -1 mirrors to 1, -3 to 3, width (7) to 5.
            Assert.Equal(image[c, 0, 1], canvas[c, margin, margin - 1]);
            Assert.Equal(image[c, 3, 0], canvas[c, margin - 3, margin]);
            Assert.Equal(image[c, 4, 5], canvas[c, margin + 4, margin + 7]);
            Assert.Equal(image[c, 2, 2], canvas[c, margin + 2, margin + 2]);
        }
        Assert.Equal(image.Data, StyleCanvas.Crop(canvas, margin).Data);
        // A margin wider than the image folds back and forth.
        Assert.Equal(new[] { 2, 1, 0, 1, 2, 1, 0 }, Enumerable.Range(-2, 7).Select(i => StyleCanvas.Reflect(i, 3)));
    }

    [Fact]
    public void Margin_is_a_fraction_of_the_long_side()
    {
        Assert.Equal(32, StyleCanvas.MarginFor((341, 512), StyleSettings.DefaultMargin));
        Assert.Equal(16, StyleCanvas.MarginFor((256, 170), StyleSettings.DefaultMargin));
        Assert.Equal(0, StyleCanvas.MarginFor((341, 512), 0));
        Assert.Equal("margin", Assert.Throws<InvalidArtworkInputException>(() => Checked(new StyleSettings { Margin = StyleSettings.MaxMargin * 2 })).Field);
    }

    [Fact]
    public void Area_resize_keeps_a_masks_coverage_and_its_sides()
    {
        // A left/right mask, 37 columns of which the first 12 are white, down to 5 columns: the mean
        // is kept exactly, the left cell is white, the right cells black, one cell mixed.
        const int h = 9, w = 37, white = 12;
        var mask = new float[h * w];
        for (var y = 0; y < h; y++) for (var x = 0; x < white; x++) mask[y * w + x] = 1;
        var small = StyleRegions.AreaResize(mask, h, w, 3, 5);
        Assert.Equal(mask.Average(), small.Average(), 1e-6);
        Assert.Equal(1f, small[0], 6);
        Assert.Equal(0f, small[4], 6);
        Assert.Contains(small.Take(5), v => v > 0 && v < 1);
        for (var y = 1; y < 3; y++) Assert.Equal(small.Take(5), small.Skip(y * 5).Take(5)); // rows alike
    }

    [Fact]
    public void Adam_average_is_for_adam_only()
    {
        var error = Assert.Throws<InvalidArtworkInputException>(() => Checked(new StyleSettings { AdamAverage = 0.99 }));
        Assert.Equal("adamAverage", error.Field);
        Assert.Equal(0.99, Checked(new StyleSettings { AdamAverage = 0.99, Optimizer = "adam" }).AdamAverage);
        Assert.Equal("adamAverage", Assert.Throws<InvalidArtworkInputException>(() => Checked(new StyleSettings { AdamAverage = 1, Optimizer = "adam" })).Field);
    }

    /// <summary>The path every request takes: the descriptor's check (ranges), then the settings' own rules.</summary>
    private static StyleSettings Checked(StyleSettings settings) =>
        StyleSettings.FromJson(ParameterSchema.Parse(settings.ToJson(), StyleSchema.Describe(["resnet18"], "resnet18", new EngineLimits())).ToJsonString());
}
