using NeuralArt.Contract;
using NeuralArt.Engine.Optimizers;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>The style engine's chunking, state, inputs and rendering on the real backbone at small sizes.</summary>
public sealed class StyleEngineTests : IClassFixture<StyleTestKit>
{
    private readonly StyleTestKit _kit;

    public StyleEngineTests(StyleTestKit kit) => _kit = kit;

    private static byte[] Content => TestImages.PatternPng(72, 56);

    private static NamedImage StylePattern => StyleTestKit.Style(TestImages.PatternPng(40, 64), "pattern.png");

    private static StyleSettings Small(string optimizer) => new()
    {
        Optimizer = optimizer,
        Scales = [48, 72],
        Iterations = 4,
        Seed = 3,
    };

    [Theory]
    [InlineData(OptimizerKinds.Lbfgs)]
    [InlineData(OptimizerKinds.Adam)]
    public async Task Chunked_equals_unchunked_pixel_for_pixel(string optimizer)
    {
        var start = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], Small(optimizer).ToJson()));
        var whole = await _kit.RunToEnd(start, int.MaxValue);
        var ones = await _kit.RunToEnd(start, 1);
        var threes = await _kit.RunToEnd(start, 3);

        Assert.Equal(8, whole.Progress.CompletedIterations);
        Assert.Equal((72, 56), (whole.Progress.Width, whole.Progress.Height));
        Assert.True(double.IsFinite(whole.Progress.Loss));
        Assert.Equal(whole.State, ones.State);
        Assert.Equal(whole.State, threes.State);
    }

    [Fact]
    public async Task Adam_with_iterate_averaging_is_chunk_exact_and_returns_the_average()
    {
        var settings = Small(OptimizerKinds.Adam) with { AdamAverage = 0.9 };
        var start = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], settings.ToJson()));
        var whole = await _kit.RunToEnd(start, int.MaxValue);
        var ones = await _kit.RunToEnd(start, 1);
        Assert.Equal(whole.State, ones.State);
        var plain = await _kit.RunToEnd(await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], Small(OptimizerKinds.Adam).ToJson())), int.MaxValue);
        Assert.NotEqual(plain.State, whole.State); // the scales' results are the averages, not the last iterates
    }

    [Fact]
    public async Task Per_tap_style_weights_weight_each_taps_term()
    {
        // The style loss with stem:256,layer1:64,layer2:16 is 256, 64 and 16 times the taps' terms measured alone.
        async Task<double> Style(string layers)
        {
            var settings = Small(OptimizerKinds.Lbfgs) with { Scales = [72], StyleLayers = layers, Smoothing = SmoothingModes.Off };
            var start = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], settings.ToJson()));
            return (await _kit.Engine.MeasureAsync(start.State)).Style;
        }
        var expected = 256 * await Style("stem") + 64 * await Style("layer1") + 16 * await Style("layer2");
        var weighted = await Style("stem:256,layer1:64,layer2:16");
        Assert.Equal(expected, weighted, expected * 1e-5);
    }

    [Fact]
    public async Task A_chunk_stops_at_the_end_of_a_scale_and_the_next_scale_starts_from_the_upsampled_result()
    {
        var start = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], Small(OptimizerKinds.Lbfgs).ToJson()));
        Assert.Equal((48, 37), (start.Progress.Width, start.Progress.Height));
        var first = await _kit.Engine.RunChunkAsync(start.State, 100);
        Assert.Equal(4, first.Progress.CompletedIterations);
        Assert.Equal(2, first.Progress.Phase);
        Assert.Equal(0, first.Progress.PhaseIteration);
        Assert.Equal((72, 56), (first.Progress.Width, first.Progress.Height));
        Assert.False(first.Progress.IsComplete);
        var info = _kit.Engine.Inspect(first.State);
        Assert.NotNull(info.LastParts);
        Assert.True(info.Evaluations >= 4);
    }

    [Fact]
    public async Task Blending_two_styles_with_weight_one_and_zero_equals_the_first_style_alone()
    {
        var other = StyleTestKit.Style(TestImages.PatternPng(64, 64), "other.png");
        var alone = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], (Small(OptimizerKinds.Lbfgs) with { Scales = [48] }).ToJson()));
        var blended = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern, other],
            (Small(OptimizerKinds.Lbfgs) with { Scales = [48], StyleBlend = [1, 0] }).ToJson()));
        var a = await _kit.Engine.MeasureAsync(alone.State);
        var b = await _kit.Engine.MeasureAsync(blended.State);
        Assert.Equal(a.Style, b.Style, 6);
        var even = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern, other], (Small(OptimizerKinds.Lbfgs) with { Scales = [48] }).ToJson()));
        Assert.NotEqual(a.Style, (await _kit.Engine.MeasureAsync(even.State)).Style, 6);
    }

    [Fact]
    public async Task The_style_scale_changes_the_size_the_style_is_seen_at()
    {
        var settings = Small(OptimizerKinds.Lbfgs) with { Scales = [72] };
        var normal = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], settings.ToJson()));
        var half = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], (settings with { StyleScale = 0.5f }).ToJson()));
        var a = (await _kit.Engine.MeasureAsync(normal.State)).Style;
        var b = (await _kit.Engine.MeasureAsync(half.State)).Style;
        Assert.True(Math.Abs(a - b) > 1e-3 * Math.Max(a, b), $"style loss {a} vs {b}");
    }

    [Fact]
    public async Task Luminance_transfer_keeps_the_content_chroma_in_the_rendered_image()
    {
        var settings = Small(OptimizerKinds.Lbfgs) with { Scales = [48], PreserveColors = PreserveColorModes.Luminance };
        var start = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], settings.ToJson()));
        var gray = _kit.Engine.ContentAtCurrentScale(start.State);
        Assert.Equal(gray.Plane(0).ToArray(), gray.Plane(2).ToArray()); // the network sees luminance
        var done = await _kit.RunToEnd(start, int.MaxValue);
        var rendered = await _kit.SavedImage(done);
        // Rendered colour = optimized luminance + the content's chroma: not gray any more.
        Assert.NotEqual(rendered.Plane(0).ToArray(), rendered.Plane(2).ToArray());
    }

    [Fact]
    public async Task Noise_and_image_initialization_start_from_what_they_say()
    {
        var noise = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], (Small(OptimizerKinds.Adam) with { Init = StyleInitModes.Noise }).ToJson()));
        var again = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], (Small(OptimizerKinds.Adam) with { Init = StyleInitModes.Noise }).ToJson()));
        Assert.Equal(noise.State, again.State); // same seed, same noise
        var init = new NamedImage(NeuralStyleEngine.InitRole, "init.png", TestImages.PatternPng(96, 74));
        var fromImage = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern, init], (Small(OptimizerKinds.Adam) with { Init = StyleInitModes.Image }).ToJson()));
        Assert.Equal((48, 37), (fromImage.Progress.Width, fromImage.Progress.Height));
    }

    [Fact]
    public async Task Render_returns_an_image_of_the_current_size_or_smaller()
    {
        var start = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], Small(OptimizerKinds.Lbfgs).ToJson()));
        using var full = Image.Load<Rgb24>(await _kit.Engine.RenderAsync(start.State, RenderFormat.Png));
        Assert.Equal((48, 37), (full.Width, full.Height));
        using var small = Image.Load<Rgb24>(await _kit.Engine.RenderAsync(start.State, RenderFormat.Jpeg, maxSide: 24));
        Assert.Equal(24, Math.Max(small.Width, small.Height));
    }

    [Theory]
    [InlineData("{\"optimizer\":\"sgd\"}", "optimizer")]
    [InlineData("{\"scales\":[512,256]}", "scales")]
    [InlineData("{\"scales\":[]}", "scales")]
    [InlineData("{\"styleWeight\":0}", "styleWeight")]
    [InlineData("{\"contentWeight\":-1}", "contentWeight")]
    [InlineData("{\"iterations\":0}", "iterations")]
    [InlineData("{\"preserveColors\":\"sepia\"}", "preserveColors")]
    [InlineData("{\"smoothing\":\"maybe\"}", "smoothing")]
    [InlineData("{\"styleScale\":10}", "styleScale")]
    [InlineData("{\"styleLayers\":\"layer9\"}", "styleLayers")]
    [InlineData("{\"contentLayers\":\"stem:x\"}", "contentLayers")]
    [InlineData("{\"smoothingLayers\":\"layer2\",\"styleLayers\":\"layer1\",\"smoothing\":\"on\"}", "smoothingLayers")]
    [InlineData("{\"styleBlend\":[1,2,3]}", "styleBlend")]
    [InlineData("{\"init\":\"image\"}", "init")]
    [InlineData("{\"colour\":1}", "colour")]
    [InlineData("{\"model\":\"vgg99\"}", "model")]
    public async Task Bad_parameters_name_the_field(string json, string field)
    {
        var error = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], json)));
        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public async Task Missing_or_broken_images_are_refused_with_their_role()
    {
        var none = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => _kit.Engine.StartAsync(new ArtworkInputs(Content, [], "")));
        Assert.Equal(NeuralStyleEngine.StyleRole, none.Field);
        var broken = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _kit.Engine.StartAsync(new ArtworkInputs(Content, [StyleTestKit.Style([1, 2, 3, 4])], "")));
        Assert.Equal(NeuralStyleEngine.StyleRole, broken.Field);
        var guide = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern, new NamedImage("guide", "g.png", Content)], "")));
        Assert.Equal("guide", guide.Field);
        var tiny = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _kit.Engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(400, 20), [StylePattern], "{\"scales\":[256]}")));
        Assert.Equal("scales", tiny.Field);
    }

    [Fact]
    public async Task Lbfgs_history_shrinks_to_the_memory_budget_and_huge_images_are_pointed_to_adam()
    {
        var settings = new StyleSettings();
        Assert.Equal(10, settings.HistoryFor(3L * 512 * 512));
        Assert.Equal(10, settings.HistoryFor(3L * 2048 * 2048)); // 48 MiB vectors: (2048 / 48 - 11) / 2 = 15 pairs fit
        Assert.Equal(3, settings.HistoryFor(3L * 3072 * 3072));  // 108 MiB vectors: (18 - 11) / 2
        Assert.Equal(0, settings.HistoryFor(3L * 4096 * 4096));
        var error = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _kit.Engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(64, 64), [StylePattern], "{\"scales\":[4096]}")));
        Assert.Equal("optimizer", error.Field);
        Assert.Contains("adam", error.Message);
        var adam = await _kit.Engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(64, 64), [StylePattern], "{\"scales\":[4096],\"optimizer\":\"adam\"}"));
        Assert.Equal(4096, adam.Progress.Width);
    }

    [Fact]
    public async Task Corrupt_state_is_refused()
    {
        var start = await _kit.Engine.StartAsync(new ArtworkInputs(Content, [StylePattern], Small(OptimizerKinds.Lbfgs).ToJson()));
        var error = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => _kit.Engine.RunChunkAsync(start.State.AsMemory(0, start.State.Length / 2), 1));
        Assert.Equal("state", error.Field);
        await Assert.ThrowsAsync<InvalidArtworkInputException>(() => _kit.Engine.RunChunkAsync(new byte[] { 1, 2, 3 }, 1));
    }
}
