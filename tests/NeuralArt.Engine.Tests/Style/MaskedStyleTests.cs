using NeuralArt.Engine.Jobs;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Style.Tiling;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>
/// Styles by region (guided Grams): the cat with Starry Night on its left half and The Scream on its
/// right, measured on the saved image; the seam of a feathered mask; tiled and chunked exactness
/// with masks; the mask role's validation.
/// </summary>
public sealed class MaskedStyleTests(StyleTestKit kit, ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    /// <summary>Long side of the transfers here: small enough for CI, large enough for layer2's Grams to mean something.</summary>
    private const int Side = 128;
    private const int Iterations = 100;
    /// <summary>Ramp width of the feathered mask, as a fraction of the image width.</summary>
    private const double Feather = 0.25;

    private static StyleSettings Settings => new() { Scales = [Side], Iterations = Iterations, Seed = 1 };

    private (int Width, int Height) CatSize
    {
        get
        {
            using var cat = Image.Load<Rgb24>(kit.Cat);
            return (cat.Width, cat.Height);
        }
    }

    private NamedImage Mask(bool left, double feather) =>
        new(NeuralStyleEngine.MaskRole, left ? "left.png" : "right.png", TestImages.HalfMaskPng(CatSize.Width, CatSize.Height, left, feather));

    private async Task<ImageTensor> Transfer(double feather)
    {
        var start = await kit.Engine.StartAsync(new ArtworkInputs(kit.Cat,
            [StyleTestKit.Style(kit.StarryNight, "starry.jpg"), StyleTestKit.Style(kit.Scream, "scream.jpg"), Mask(left: true, feather), Mask(left: false, feather)],
            Settings.ToJson()));
        return await kit.SavedImage(await kit.RunToEnd(start, int.MaxValue));
    }

    [Fact]
    public async Task Each_half_takes_its_own_style_and_a_feathered_seam_is_gradual()
    {
        var hard = await Transfer(feather: 0);

        // Gram distance (the style loss's: sum over the style taps of w * mean((G_a - G_b)^2)) of each
        // half of the saved image to each style, the styles sized as the transfer sized them.
        using var model = StyleModel.Resolve(kit.Graphs, kit.Pool, Settings);
        var grams = new WholeImageTargetSource(model.TargetsSession());
        double Distance(IReadOnlyDictionary<string, float[]> a, IReadOnlyDictionary<string, float[]> b) =>
            model.StyleTaps.Sum(t => t.Weight * a[t.Tap].Zip(b[t.Tap], (x, y) => (double)(x - y) * (x - y)).Average());
        IReadOnlyDictionary<string, float[]> StyleGrams(byte[] bytes)
        {
            using var image = Image.Load<Rgb24>(bytes);
            var (h, w) = StylePlan.Fit(image.Height, image.Width, Side);
            return grams.Grams(StyleTestKit.Resized(bytes, h, w), default);
        }
        var starry = StyleGrams(kit.StarryNight);
        var scream = StyleGrams(kit.Scream);
        var half = hard.Width / 2;
        var left = grams.Grams(Columns(hard, 0, half), default);
        var right = grams.Grams(Columns(hard, half, hard.Width), default);
        var (leftStarry, leftScream) = (Distance(left, starry), Distance(left, scream));
        var (rightStarry, rightScream) = (Distance(right, starry), Distance(right, scream));
        output.WriteLine($"left half: to Starry Night {leftStarry:E3}, to The Scream {leftScream:E3}; right half: to Starry Night {rightStarry:E3}, to The Scream {rightScream:E3}");
        Assert.True(leftStarry < leftScream, "the left half is closer to The Scream than to its own Starry Night");
        Assert.True(rightScream < rightStarry, "the right half is closer to Starry Night than to its own Scream");

        // The seam: the largest colour step between neighbouring columns within the ramp, relative to
        // the difference of the two halves' mean colours. A hard mask may switch at once; a feathered
        // one must spread the change over its ramp.
        var feathered = await Transfer(Feather);
        var hardStep = SeamStep(hard, Feather);
        var featheredStep = SeamStep(feathered, Feather);
        output.WriteLine($"largest column-to-column step across the seam, as a fraction of the halves' colour difference: hard {hardStep:F3}, feathered {featheredStep:F3}");
        Assert.True(featheredStep < hardStep, $"feathered seam step {featheredStep:F3} is not below the hard one's {hardStep:F3}");
    }

    /// <summary>Columns [x0, x1) of an image.</summary>
    private static ImageTensor Columns(ImageTensor image, int x0, int x1)
    {
        var result = new ImageTensor(image.Height, x1 - x0);
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var y = 0; y < image.Height; y++)
            {
                image.Plane(c).Slice(y * image.Width + x0, x1 - x0).CopyTo(result.Plane(c).Slice(y * result.Width, result.Width));
            }
        }
        return result;
    }

    /// <summary>
    /// Per column, the mean colour (RGB) over the rows, smoothed over a few columns so texture does not
    /// count as a seam; returns the largest distance between neighbouring smoothed columns inside the
    /// ramp's span, divided by the distance between the mean colours of the parts left and right of it.
    /// </summary>
    private static double SeamStep(ImageTensor image, double feather)
    {
        const int smoothing = 3;
        var w = image.Width;
        var profile = new double[w, ImageTensor.Channels];
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var x = 0; x < w; x++)
            {
                double sum = 0;
                for (var y = 0; y < image.Height; y++) sum += image[c, y, x];
                profile[x, c] = sum / image.Height;
            }
        }
        double[] Smoothed(int x)
        {
            var v = new double[ImageTensor.Channels];
            var (from, to) = (Math.Max(0, x - smoothing), Math.Min(w - 1, x + smoothing));
            for (var i = from; i <= to; i++) for (var c = 0; c < v.Length; c++) v[c] += profile[i, c] / (to - from + 1);
            return v;
        }
        static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());
        double[] Mean(int from, int to)
        {
            var v = new double[ImageTensor.Channels];
            for (var x = from; x < to; x++) for (var c = 0; c < v.Length; c++) v[c] += profile[x, c] / (to - from);
            return v;
        }
        var (rampStart, rampEnd) = ((int)(w * (0.5 - feather / 2)), (int)Math.Ceiling(w * (0.5 + feather / 2)));
        var halves = Distance(Mean(0, rampStart), Mean(rampEnd, w));
        var step = 0.0;
        for (var x = rampStart; x + 1 < rampEnd; x++) step = Math.Max(step, Distance(Smoothed(x), Smoothed(x + 1)));
        return step / halves;
    }

    [Fact]
    public async Task Tiled_loss_and_gradient_equal_the_whole_image_ones_with_masks()
    {
        const int h = 150, w = 200, tile = 128;
        var settings = new StyleSettings { Scales = [w], TileSize = StyleSettings.MaxTileSize, Seed = 1 };
        var content = TestImages.PatternPng(w, h);
        NamedImage[] extras =
        [
            StyleTestKit.Style(TestImages.PatternPng(90, 70), "a.png"),
            StyleTestKit.Style(TestImages.PatternPng(50, 80), "b.png"),
            new(NeuralStyleEngine.MaskRole, "left.png", TestImages.HalfMaskPng(w, h, left: true, Feather)),
            new(NeuralStyleEngine.MaskRole, "right.png", TestImages.HalfMaskPng(w, h, left: false, Feather)),
        ];
        var start = await kit.Engine.StartAsync(new ArtworkInputs(content, extras, settings.ToJson()));
        var canvas = kit.Engine.ContentAtCurrentScale(start.State);
        var image = TestImages.RandomTensor(canvas.Height, canvas.Width, seed: 5);
        using var whole = kit.Engine.CreateObjective(start.State);
        var wholeGradient = new float[image.Data.Length];
        var wholeLoss = whole.Evaluate(image.Data, wholeGradient, default);
        var wholeParts = whole.Measure(image.Data, default);

        var tiledStart = await kit.Engine.StartAsync(new ArtworkInputs(content, extras, (settings with { TileSize = tile }).ToJson()));
        using var tiled = kit.Engine.CreateObjective(tiledStart.State);
        Assert.IsType<TiledStyleObjective>(tiled);
        var tiledGradient = new float[image.Data.Length];
        var tiledLoss = tiled.Evaluate(image.Data, tiledGradient, default);
        var tiledParts = tiled.Measure(image.Data, default);

        var scale = wholeGradient.Max(Math.Abs);
        var worst = wholeGradient.Zip(tiledGradient, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{((TiledStyleObjective)tiled).TileCount} tiles; loss whole {wholeLoss:G9} tiled {tiledLoss:G9}; style {wholeParts.Style:G9} vs {tiledParts.Style:G9}; max |grad diff| {worst:E2} of max |grad| {scale:E2}");
        Assert.Equal(wholeLoss, tiledLoss, wholeLoss * 1e-5);
        Assert.Equal(wholeParts.Style, tiledParts.Style, wholeParts.Style * 1e-5);
        Assert.True(worst <= 1e-4 * scale, $"max gradient difference {worst:E2} of {scale:E2}");
    }

    [Fact]
    public async Task Chunked_equals_unchunked_with_masks()
    {
        var settings = new StyleSettings { Scales = [48, 72], Iterations = 3, Seed = 3 };
        NamedImage[] extras =
        [
            StyleTestKit.Style(TestImages.PatternPng(40, 64), "a.png"),
            StyleTestKit.Style(TestImages.PatternPng(64, 40), "b.png"),
            new(NeuralStyleEngine.MaskRole, "left.png", TestImages.HalfMaskPng(72, 56, left: true, Feather)),
            new(NeuralStyleEngine.MaskRole, "right.png", TestImages.HalfMaskPng(72, 56, left: false, 0)),
        ];
        var start = await kit.Engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), extras, settings.ToJson()));
        var whole = await kit.RunToEnd(start, int.MaxValue);
        var ones = await kit.RunToEnd(start, 1);
        Assert.Equal(whole.State, ones.State);
        Assert.True(whole.Progress.Loss < (await kit.Engine.MeasureAsync(start.State)).Total);
    }

    [Fact]
    public async Task Masks_are_checked()
    {
        var style = StyleTestKit.Style(TestImages.PatternPng(40, 64));
        var content = TestImages.PatternPng(72, 56);
        var json = new StyleSettings { Scales = [48], Iterations = 1 }.ToJson();
        async Task<InvalidArtworkInputException> Fails(params NamedImage[] extras) =>
            await Assert.ThrowsAsync<InvalidArtworkInputException>(() => kit.Engine.StartAsync(new ArtworkInputs(content, [style, .. extras], json)));

        var mask = new NamedImage(NeuralStyleEngine.MaskRole, "m.png", TestImages.HalfMaskPng(72, 56, left: true, 0));
        var count = await Fails(mask, mask);
        Assert.Equal(NeuralStyleEngine.MaskRole, count.Field);
        Assert.Contains("2 masks for 1 style", count.Message);
        var shape = await Fails(new NamedImage(NeuralStyleEngine.MaskRole, "tall.png", TestImages.HalfMaskPng(56, 72, left: true, 0)));
        Assert.Contains("content's shape", shape.Message);
        var black = await Fails(new NamedImage(NeuralStyleEngine.MaskRole, "black.png", BlackPng(72, 56)));
        Assert.Contains("black everywhere", black.Message);
        var broken = await Fails(new NamedImage(NeuralStyleEngine.MaskRole, "broken.png", new byte[] { 1, 2, 3 }));
        Assert.Equal(NeuralStyleEngine.MaskRole, broken.Field);
    }

    private static byte[] BlackPng(int width, int height)
    {
        using var image = new Image<Rgb24>(width, height);
        return TestImages.Encode(image, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
    }
}
