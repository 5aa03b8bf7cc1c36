using NeuralArt.Contract;
using NeuralArt.Engine.Style;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>
/// The style transfer on the bundled cat photo and Starry Night at 256 px with the shipped
/// backbone and the default weights, from the content image.
/// </summary>
public sealed class StyleConvergenceTests(StyleTestKit kit, ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    private readonly StyleTestKit _kit = kit;

    [Fact]
    public async Task Lbfgs_lowers_the_style_loss_30x_in_100_iterations_with_content_bounded()
    {
        var settings = new StyleSettings { Scales = [256], Iterations = 100, Seed = 1 };
        var start = await _kit.Engine.StartAsync(new ArtworkInputs(_kit.Cat, [StyleTestKit.Style(_kit.StarryNight)], settings.ToJson()));
        var initial = await _kit.Engine.MeasureAsync(start.State);
        var done = await _kit.RunToEnd(start, int.MaxValue);
        var saved = await _kit.Engine.MeasureAsync(done.State, await _kit.SavedImage(done));
        output.WriteLine($"initial {initial}; saved 8-bit {saved}; ratio {initial.Style / saved.Style:F1}x; evaluations {_kit.Engine.Inspect(done.State).Evaluations}");
        Assert.True(initial.Style / saved.Style >= 30, $"style loss {initial.Style} -> {saved.Style}");

        // Content bound: the result's layer3 features must stay at most half as far from the cat's
        // as the painting's own features are (the painting resized to the same size): the photo is
        // still what the picture shows, not just its texture.
        var painting = StyleTestKit.Resized(_kit.StarryNight, done.Progress.Height, done.Progress.Width);
        var paintingParts = await _kit.Engine.MeasureAsync(done.State, painting);
        output.WriteLine($"painting's content loss {paintingParts.Content}");
        Assert.True(saved.Content <= 0.5 * paintingParts.Content, $"content loss {saved.Content} vs the painting's {paintingParts.Content}");
    }

    [Fact]
    public async Task Adam_converges_too_more_slowly()
    {
        var settings = new StyleSettings { Scales = [256], Iterations = 100, Optimizer = "adam", Seed = 1 };
        var start = await _kit.Engine.StartAsync(new ArtworkInputs(_kit.Cat, [StyleTestKit.Style(_kit.StarryNight)], settings.ToJson()));
        var initial = await _kit.Engine.MeasureAsync(start.State);
        var half = await _kit.Engine.RunChunkAsync(start.State, 50);
        var atHalf = await _kit.Engine.MeasureAsync(half.State);
        var done = await _kit.RunToEnd(half, int.MaxValue);
        var saved = await _kit.Engine.MeasureAsync(done.State, await _kit.SavedImage(done));
        output.WriteLine($"initial {initial}; after 50 {atHalf}; saved 8-bit after 100 {saved}; ratio {initial.Style / saved.Style:F1}x");
        Assert.True(atHalf.Total < initial.Total && saved.Total < atHalf.Total, "the objective keeps falling");
        Assert.True(initial.Style / saved.Style >= 10, $"style loss {initial.Style} -> {saved.Style}");
    }
}
