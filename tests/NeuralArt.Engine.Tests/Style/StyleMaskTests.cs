using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Style.Tiling;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>
/// The style images' own masks (role <c>styleMask</c>): style k's target Gram is
/// <c>F_s diag(s_k) F_s^T / (C sum s_k)</c>. Checked against the network's features, against a mask
/// of ones (today's target), on a painting made of two halves (Starry Night | The Scream) end to end,
/// with content masks, chunked, and the role's validation.
/// </summary>
public sealed class StyleMaskTests(StyleTestKit kit, ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    /// <summary>Each half of the two-painting style image is this many pixels square.</summary>
    private const int HalfSide = 128;

    /// <summary>The transfer's long side (as in <see cref="MaskedStyleTests"/>: cheap, and layer2's Grams still mean something).</summary>
    private const int Side = 128;

    private const int Iterations = 100;

    /// <summary>The two-half style image is twice the transfer's side wide; at this style scale it is used at its own size.</summary>
    private const float StyleScale = 2f;

    /// <summary>Float32 Grams summed in another order (tiles, batched MatMul) agree to this, relative to the largest entry.</summary>
    private const double GramTolerance = 1e-5;

    /// <summary>
    /// How much closer a result must be to the selected half than to the other: the two paintings'
    /// Grams are far apart, so a result that only leans towards the selected one is not enough.
    /// </summary>
    private const double MinCloser = 2;

    private static StyleSettings Settings => new() { Scales = [Side], Iterations = Iterations, StyleScale = StyleScale, Seed = 1 };

    /// <summary>Starry Night (left) and The Scream (right), each stretched to a square: two clearly different textures and palettes.</summary>
    private byte[] TwoPaintings()
    {
        using var result = new Image<Rgb24>(2 * HalfSide, HalfSide);
        foreach (var (bytes, x0) in new[] { (kit.StarryNight, 0), (kit.Scream, HalfSide) })
        {
            using var painting = Image.Load<Rgb24>(bytes);
            painting.Mutate(x => x.Resize(HalfSide, HalfSide));
            for (var y = 0; y < HalfSide; y++) for (var x = 0; x < HalfSide; x++) result[x0 + x, y] = painting[x, y];
        }
        return TestImages.Encode(result, new PngEncoder());
    }

    private static ImageTensor Decode(byte[] png)
    {
        using var image = Image.Load<Rgb24>(png);
        return image.ToTensor();
    }

    /// <summary>The left (or right) half of a plane of <paramref name="height"/> x <paramref name="width"/> as ones, the rest zeros.</summary>
    private static float[] HalfPlane(int height, int width, bool left)
    {
        var plane = new float[height * width];
        for (var y = 0; y < height; y++) for (var x = 0; x < width; x++) plane[y * width + x] = (x < width / 2) == left ? 1 : 0;
        return plane;
    }

    private static double Distance(StyleModel model, IReadOnlyDictionary<string, float[]> a, IReadOnlyDictionary<string, float[]> b) =>
        model.StyleTaps.Sum(t => t.Weight * a[t.Tap].Zip(b[t.Tap], (x, y) => (double)(x - y) * (x - y)).Average());

    private static double WorstRelative(IReadOnlyDictionary<string, float[]> expected, IReadOnlyDictionary<string, float[]> actual) =>
        expected.Keys.Max(tap => expected[tap].Zip(actual[tap], (e, a) => Math.Abs(e - (double)a)).Max() / expected[tap].Max(v => Math.Abs((double)v)));

    [Fact]
    public void A_style_mask_takes_the_gram_over_the_masked_part_only()
    {
        using var model = StyleModel.Resolve(kit.Graphs, kit.Pool, Settings);
        var image = Decode(TwoPaintings());
        var source = new TiledTargetSource(model, NeuralStyleEngine.TileCentre(StyleSettings.DefaultTileSize));
        var left = source.MaskedGrams(image, HalfPlane(image.Height, image.Width, left: true), default);

        // Reference from the network's own features, in double: the left half of each style tap's
        // feature map (the taps' strides 2, 4 and 8 divide 128, so the box-resized mask is exactly 1
        // on the left half of every map and 0 elsewhere), f f^T summed there and divided by C times
        // the positions counted. Fails if the mask is misplaced (transposed, mirrored, shifted by a
        // tile), resized or normalized wrongly, or ignored.
        using var lease = kit.Pool.Rent(model.FeaturesGraph().Path);
        var features = new FeatureExtractor(lease.Session).Run(image).ToDictionary(m => m.Name, StringComparer.Ordinal);
        var reference = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var tap in model.StyleTapNames)
        {
            var map = features[tap];
            var (c, h, w) = ((int)map.Shape[1], (int)map.Shape[2], (int)map.Shape[3]);
            Assert.True(image.Width % w == 0 && w % 2 == 0, $"{tap}: {w} columns do not split the image's halves exactly");
            var gram = new float[c * c];
            for (var i = 0; i < c; i++)
            {
                for (var j = 0; j < c; j++)
                {
                    double sum = 0;
                    for (var y = 0; y < h; y++) for (var x = 0; x < w / 2; x++) sum += (double)map.Data[(i * h + y) * w + x] * map.Data[(j * h + y) * w + x];
                    gram[i * c + j] = (float)(sum / (c * (double)h * (w / 2)));
                }
            }
            reference[tap] = gram;
        }
        var formulaError = WorstRelative(reference, left);
        output.WriteLine($"masked target against F diag(s) F^T / (C sum s) from the features: worst relative difference {formulaError:E2}");
        Assert.True(formulaError <= GramTolerance, $"masked target differs from the reference by {formulaError:E2} of its largest entry");
    }

    [Fact]
    public void A_mask_of_ones_gives_the_plain_target()
    {
        using var model = StyleModel.Resolve(kit.Graphs, kit.Pool, Settings);
        var image = Decode(TwoPaintings());
        var plain = new WholeImageTargetSource(model.TargetsSession()).Grams(image, default);
        var ones = new TiledTargetSource(model, NeuralStyleEngine.TileCentre(StyleSettings.DefaultTileSize))
            .MaskedGrams(image, Enumerable.Repeat(1f, image.Height * image.Width).ToArray(), default);
        var worst = WorstRelative(plain, ones);
        output.WriteLine($"mask of ones against the plain target: worst relative difference {worst:E2}");
        Assert.True(worst <= GramTolerance, $"a mask of ones moved the target by {worst:E2} of its largest entry");
    }

    [Fact]
    public async Task A_transfer_takes_the_style_of_the_masked_half()
    {
        // The same two-half painting, once with the left half (Starry Night) selected and once with
        // the right (The Scream). Each result's Gram distance (the style loss's) to the Grams of the
        // two halves alone: each must be closer to the half its mask selected. Both cannot hold if
        // the mask were ignored (the two runs would then be the same transfer).
        var paintings = TwoPaintings();
        using var model = StyleModel.Resolve(kit.Graphs, kit.Pool, Settings);
        var grams = new WholeImageTargetSource(model.TargetsSession());
        var image = Decode(paintings);
        var leftHalf = grams.Grams(TestImages.Columns(image, 0, HalfSide), default);
        var rightHalf = grams.Grams(TestImages.Columns(image, HalfSide, 2 * HalfSide), default);
        foreach (var left in new[] { true, false })
        {
            var start = await kit.Engine.StartAsync(new ArtworkInputs(kit.Cat,
                [StyleTestKit.Style(paintings, "two.png"), new(NeuralStyleEngine.StyleMaskRole, "half.png", TestImages.HalfMaskPng(2 * HalfSide, HalfSide, left, feather: 0))],
                Settings.ToJson()));
            var result = grams.Grams(await kit.SavedImage(await kit.RunToEnd(start, int.MaxValue)), default);
            var (toLeft, toRight) = (Distance(model, result, leftHalf), Distance(model, result, rightHalf));
            output.WriteLine($"{(left ? "left (Starry Night)" : "right (The Scream)")} half selected: result to Starry Night {toLeft:E3}, to The Scream {toRight:E3} ");
            var closer = left ? toRight / toLeft : toLeft / toRight;
            Assert.True(closer >= MinCloser, $"the result is {closer:F2}x closer to the selected half, not {MinCloser}x ({toLeft:E3} to the left, {toRight:E3} to the right)");
        }
    }

    [Fact]
    public async Task Chunked_equals_unchunked_with_style_and_content_masks()
    {
        // Every chunk reloads the checkpoint, so this also checks that the style masks travel in it:
        // without them a resumed chunk would optimize against the unmasked targets.
        var settings = new StyleSettings { Scales = [48, 72], Iterations = 3, Seed = 3 };
        NamedImage[] extras =
        [
            StyleTestKit.Style(TestImages.PatternPng(40, 64), "a.png"),
            StyleTestKit.Style(TestImages.PatternPng(64, 40), "b.png"),
            new(NeuralStyleEngine.MaskRole, "left.png", TestImages.HalfMaskPng(72, 56, left: true, 0.25)),
            new(NeuralStyleEngine.MaskRole, "right.png", TestImages.HalfMaskPng(72, 56, left: false, 0)),
            new(NeuralStyleEngine.StyleMaskRole, "a-mask.png", TestImages.HalfMaskPng(20, 32, left: true, 0.5)),
            new(NeuralStyleEngine.StyleMaskRole, "b-mask.png", TestImages.HalfMaskPng(64, 40, left: false, 0)),
        ];
        var start = await kit.Engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), extras, settings.ToJson()));
        var whole = await kit.RunToEnd(start, int.MaxValue);
        var ones = await kit.RunToEnd(start, 1);
        Assert.Equal(whole.State, ones.State);

        // The style masks change the result: the same job without them ends elsewhere.
        var unmasked = await kit.Engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), extras[..4], settings.ToJson()));
        Assert.NotEqual(await kit.Engine.RenderAsync(whole.State, RenderFormat.Png), await kit.Engine.RenderAsync((await kit.RunToEnd(unmasked, int.MaxValue)).State, RenderFormat.Png));
    }

    [Fact]
    public async Task A_checkpoint_of_format_2_still_resumes()
    {
        // Format 2 is format 3 without the style mask count (an int after the region masks). A fresh
        // checkpoint ends with a fixed tail after that count (scale, iteration, counters, four losses,
        // evaluations, random state, an empty optimizer state, the image's size and floats), so the
        // count sits just before it. Cut out, with the version byte set to 2, the checkpoint must
        // resume to the same bytes as the format 3 one.
        const int versionOffset = 7; // after the magic "NASTYLE"
        var settings = new StyleSettings { Scales = [48], Iterations = 2, Seed = 3 };
        var start = await kit.Engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), [StyleTestKit.Style(TestImages.PatternPng(40, 64))], settings.ToJson()));
        var canvas = kit.Engine.ContentAtCurrentScale(start.State);
        var tail = 3 * sizeof(int) + sizeof(bool) + 4 * sizeof(double) + sizeof(int) + sizeof(ulong) + sizeof(long) + 2 * sizeof(int) + sizeof(float) * canvas.Data.Length;
        var bytes = start.State.ToArray();
        var count = bytes.Length - tail - sizeof(int);
        Assert.Equal(3, bytes[versionOffset]);
        Assert.Equal(0, BitConverter.ToInt32(bytes, count));
        byte[] old = [.. bytes[..count], .. bytes[(count + sizeof(int))..]];
        old[versionOffset] = 2;
        Assert.Equal((await kit.RunToEnd(start, int.MaxValue)).State, (await kit.RunToEnd(new EngineCheckpoint(old, start.Progress), int.MaxValue)).State);
    }

    [Fact]
    public async Task Style_masks_are_checked()
    {
        var style = StyleTestKit.Style(TestImages.PatternPng(40, 64));
        var content = TestImages.PatternPng(72, 56);
        var json = new StyleSettings { Scales = [48], Iterations = 1 }.ToJson();
        async Task<InvalidArtworkInputException> Fails(params NamedImage[] extras) =>
            await Assert.ThrowsAsync<InvalidArtworkInputException>(() => kit.Engine.StartAsync(new ArtworkInputs(content, [style, .. extras], json)));

        var mask = new NamedImage(NeuralStyleEngine.StyleMaskRole, "m.png", TestImages.HalfMaskPng(40, 64, left: true, 0));
        var count = await Fails(mask, mask);
        Assert.Equal(NeuralStyleEngine.StyleMaskRole, count.Field);
        Assert.Contains("2 style masks for 1 style", count.Message);
        var shape = await Fails(new NamedImage(NeuralStyleEngine.StyleMaskRole, "wide.png", TestImages.HalfMaskPng(64, 40, left: true, 0)));
        Assert.Equal(NeuralStyleEngine.StyleMaskRole, shape.Field);
        Assert.Contains("style image's shape", shape.Message);
        using var black = new Image<Rgb24>(40, 64);
        var dark = await Fails(new NamedImage(NeuralStyleEngine.StyleMaskRole, "black.png", TestImages.Encode(black, new PngEncoder())));
        Assert.Contains("black everywhere", dark.Message);

        // At plan (submit) time, from the headers alone.
        var planned = Assert.Throws<InvalidArtworkInputException>(() => kit.Engine.Plan(new PlanRequest(json,
            [
                new(EngineDescriptor.SourceRole, "c.png", 72, 56), new(NeuralStyleEngine.StyleRole, "s.png", 40, 64),
                new(NeuralStyleEngine.StyleMaskRole, "m1.png", 40, 64), new(NeuralStyleEngine.StyleMaskRole, "m2.png", 40, 64),
            ], new EngineLimits())));
        Assert.Equal(NeuralStyleEngine.StyleMaskRole, planned.Field);
        Assert.NotNull(kit.Engine.Describe(new EngineLimits()).Role(NeuralStyleEngine.StyleMaskRole));
    }

    [Fact]
    public void Trimming_a_frame_crops_the_style_mask_alike()
    {
        // A 5 px black frame around a 200x160 painting; its mask drawn at twice the size, white on the
        // painting's left half inside the frame. After trimming, the mask must cover the trimmed
        // painting (twice its size) and be white exactly on its left half.
        const int width = 200, height = 160, frame = 5, scale = 2;
        using var image = TestImages.Pattern(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                if (Math.Min(Math.Min(x, width - 1 - x), Math.Min(y, height - 1 - y)) < frame) image[x, y] = new Rgb24(0, 0, 0);
            }
        }
        using var mask = new Image<Rgb24>(scale * width, scale * height);
        var middle = scale * width / 2;
        for (var y = 0; y < mask.Height; y++) for (var x = 0; x < mask.Width; x++) mask[x, y] = x < middle ? new Rgb24(255, 255, 255) : new Rgb24(0, 0, 0);

        Assert.True(StyleFrame.Trim(image, mask));
        Assert.Equal((width - 2 * frame, height - 2 * frame), (image.Width, image.Height));
        Assert.Equal((scale * image.Width, scale * image.Height), (mask.Width, mask.Height));
        var white = Enumerable.Range(0, mask.Width).Count(x => mask[x, mask.Height / 2].R == 255);
        Assert.Equal(middle - scale * frame, white);
        Assert.Equal(mask.Width / 2, white);
    }
}
