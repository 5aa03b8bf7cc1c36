using NeuralArt.Contract;
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
/// right, measured on the saved image; the width of a feathered seam against a hard one; tiled and chunked exactness
/// with masks; the mask role's validation.
/// </summary>
public sealed class MaskedStyleTests(StyleTestKit kit, ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    /// <summary>Long side of the transfers here: small enough for CI, large enough for layer2's Grams to mean something.</summary>
    private const int Side = 128;
    private const int Iterations = 100;
    /// <summary>Ramp width of the feathered mask, as a fraction of the image width.</summary>
    private const double Feather = 0.25;

    /// <summary>The style transition is measured between these fractions of the way from one half to the other.</summary>
    private const double TransitionStart = 0.1, TransitionEnd = 0.9;

    /// <summary>
    /// The feathered mask's transition must be at least this many times as wide as the hard mask's
    /// (its ramp is 32 columns at 128 px; a hard mask's transition is the receptive field's blur).
    /// </summary>
    private const double MinWidthRatio = 2;

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
        var left = grams.Grams(TestImages.Columns(hard, 0, half), default);
        var right = grams.Grams(TestImages.Columns(hard, half, hard.Width), default);
        var (leftStarry, leftScream) = (Distance(left, starry), Distance(left, scream));
        var (rightStarry, rightScream) = (Distance(right, starry), Distance(right, scream));
        output.WriteLine($"left half: to Starry Night {leftStarry:E3}, to The Scream {leftScream:E3}; right half: to Starry Night {rightStarry:E3}, to The Scream {rightScream:E3}");
        Assert.True(leftStarry < leftScream, "the left half is closer to The Scream than to its own Starry Night");
        Assert.True(rightScream < rightStarry, "the right half is closer to Starry Night than to its own Scream");

        // The seam: over how many columns the picture changes from one style to the other. The
        // cat's own colours vary from column to column far more than the seam does, so each column is
        // measured against the same transfer with one style everywhere: t(x) is where the column's
        // mean colour lies on the way from the all-Starry-Night result's column to the
        // all-Scream one's (0: Starry Night, 1: The Scream). The transition's width is the distance
        // between the crossings of 10% and 90% of the way from the left part's level of t to the
        // right part's (parts outside the ramp), found from the middle outwards. A hard mask may
        // switch within a few columns (the network's receptive field blurs it a little); a
        // feathered one must spread the change over much of its ramp.
        var feathered = await Transfer(Feather);
        var allStarry = await Single(kit.StarryNight);
        var allScream = await Single(kit.Scream);
        var hardWidth = TransitionWidth(StyleProgress(hard, allStarry, allScream), Feather);
        var featheredWidth = TransitionWidth(StyleProgress(feathered, allStarry, allScream), Feather);
        output.WriteLine($"10%-90% transition width across the seam: hard {hardWidth:F1} columns, feathered {featheredWidth:F1} (ramp {Feather * hard.Width:F0}; {featheredWidth / hardWidth:F1}x)");
        Assert.True(featheredWidth >= MinWidthRatio * hardWidth,
            $"the feathered transition ({featheredWidth:F1} columns) is not {MinWidthRatio}x as wide as the hard one ({hardWidth:F1})");
    }

    /// <summary>The same transfer with one style everywhere (no masks): each column's reference for that style.</summary>
    private async Task<ImageTensor> Single(byte[] style)
    {
        var start = await kit.Engine.StartAsync(new ArtworkInputs(kit.Cat, [StyleTestKit.Style(style, "style.jpg")], Settings.ToJson()));
        return await kit.SavedImage(await kit.RunToEnd(start, int.MaxValue));
    }

    /// <summary>
    /// Per column x, <c>t(x)</c>: the projection of the column's mean colour (RGB, over the rows) onto
    /// the segment from <paramref name="first"/>'s column to <paramref name="second"/>'s, 0 at the
    /// first and 1 at the second.
    /// </summary>
    private static double[] StyleProgress(ImageTensor image, ImageTensor first, ImageTensor second)
    {
        var w = image.Width;
        var t = new double[w];
        for (var x = 0; x < w; x++)
        {
            double along = 0, length = 0;
            for (var c = 0; c < ImageTensor.Channels; c++)
            {
                var (p, a, b) = (ColumnMean(image, c, x), ColumnMean(first, c, x), ColumnMean(second, c, x));
                along += (p - a) * (b - a);
                length += (b - a) * (b - a);
            }
            t[x] = along / length;
        }
        return t;
    }

    private static double ColumnMean(ImageTensor image, int channel, int x)
    {
        double sum = 0;
        for (var y = 0; y < image.Height; y++) sum += image[channel, y, x];
        return sum / image.Height;
    }

    /// <summary>
    /// Columns between where <paramref name="t"/> crosses 10% and 90% of the way from its mean left
    /// of the ramp to its mean right of it, searched from the middle outwards (linear between columns).
    /// </summary>
    private static double TransitionWidth(double[] t, double feather)
    {
        var w = t.Length;
        var (rampStart, rampEnd) = ((int)(w * (0.5 - feather / 2)), (int)Math.Ceiling(w * (0.5 + feather / 2)));
        var left = t[..rampStart].Average();
        var right = t[rampEnd..].Average();
        double Level(double fraction) => left + fraction * (right - left);
        var (low, high) = (Level(TransitionStart), Level(TransitionEnd));
        var x0 = w / 2;
        while (x0 > 0 && t[x0] >= low) x0--;
        var x1 = w / 2;
        while (x1 < w - 1 && t[x1] <= high) x1++;
        var start = x0 + (low - t[x0]) / (t[x0 + 1] - t[x0]);
        var end = x1 - 1 + (high - t[x1 - 1]) / (t[x1] - t[x1 - 1]);
        return end - start;
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
        Assert.Contains("source's shape", shape.Message);
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
