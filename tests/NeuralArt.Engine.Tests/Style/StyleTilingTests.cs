using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Style.Tiling;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Graphs.Objectives;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>
/// Exact tiled style transfer on the real backbone: the geometry read from the graph, and the
/// tiled objective (two passes, global Grams) against the whole-image one on images small enough
/// for both.
/// </summary>
public sealed class StyleTilingTests(StyleTestKit kit, ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    private static readonly string[] Taps = ["stem", "layer1", "layer2", "layer3", "layer4"];

    [Fact]
    public void Geometry_gives_the_strides_receptive_fields_and_feature_sizes_of_resnet18()
    {
        var manifest = kit.Graphs.GetManifest("resnet18");
        var path = kit.Graphs.GetGraph(manifest, new FeaturesObjective(Taps)).Path;
        var geometry = FeatureGeometry.Load(path);
        Assert.Equal([2, 4, 4 * 2, 16, 32], Taps.Select(t => geometry.Taps[t].H.Jump));
        // Receptive fields 7 (the 7x7 stem), 43, 99, 211, and 563 at layer4: this CNTK export has
        // three blocks in layer4 (layer4.0 to layer4.2 in the manifest), two 3x3 convs more than torchvision's.
        Assert.Equal([7, 43, 99, 211, 563], Taps.Select(t => geometry.Taps[t].W.High - geometry.Taps[t].W.Low + 1));

        const int h = 97, w = 131;
        using var lease = kit.Pool.Rent(path);
        var maps = new FeatureExtractor(lease.Session).Run(TestImages.RandomTensor(h, w, seed: 1));
        foreach (var map in maps)
        {
            Assert.Equal((map.Shape[2], map.Shape[3]), ((long)geometry.FeatureSize(map.Name, h, w).Height, (long)geometry.FeatureSize(map.Name, h, w).Width));
        }
    }

    [Fact]
    public void Owned_boxes_partition_every_feature_map()
    {
        var manifest = kit.Graphs.GetManifest("resnet18");
        var geometry = FeatureGeometry.Load(kit.Graphs.GetGraph(manifest, new FeaturesObjective(Taps)).Path);
        var plan = StyleTilePlan.Create(700, 530, 200, geometry, Taps);
        Assert.Equal(4 * 3, plan.Tiles.Count);
        foreach (var tap in Taps)
        {
            var (fh, fw) = plan.FeatureSizes[tap];
            var covered = new int[fh * fw];
            foreach (var tile in plan.Tiles)
            {
                var box = tile.Crops[tap];
                var (top, left) = tile.GlobalOrigin(tap, geometry);
                for (var y = 0; y < box[2] - box[0]; y++)
                {
                    for (var x = 0; x < box[3] - box[1]; x++) covered[(top + y) * fw + left + x]++;
                }
            }
            Assert.All(covered, c => Assert.Equal(1, c));
        }
    }

    public static TheoryData<string, string, int, int, int> Cases() => new()
    {
        // Shallow taps (receptive field 43): many tiles with small halos.
        { "stem,layer1", "layer1", 200, 300, 128 },
        // The engine's default taps (stem..layer2 kept, content layer3; receptive field 211).
        { "stem,layer1,layer2,layer3,layer4", "layer3", 224, 288, 128 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Tiled_loss_and_gradient_equal_the_whole_image_ones(string styleLayers, string contentLayers, int h, int w, int tile)
    {
        var settings = new StyleSettings { StyleLayers = styleLayers, ContentLayers = contentLayers, Scales = [Math.Max(h, w)], TileSize = StyleSettings.MaxTileSize, Seed = 1 };
        var content = TestImages.PatternPng(w, h);
        var style = StyleTestKit.Style(TestImages.PatternPng(90, 70), "style.png");
        var start = await kit.Engine.StartAsync(new ArtworkInputs(content, [style], settings.ToJson()));
        // The objective runs on the canvas (the output plus its reflected margin).
        var canvas = kit.Engine.ContentAtCurrentScale(start.State);
        var image = TestImages.RandomTensor(canvas.Height, canvas.Width, seed: 5);

        using var whole = kit.Engine.CreateObjective(start.State);
        var wholeGradient = new float[image.Data.Length];
        var wholeLoss = whole.Evaluate(image.Data, wholeGradient, default);
        var wholeParts = whole.Measure(image.Data, default);

        var tiledStart = await kit.Engine.StartAsync(new ArtworkInputs(content, [style], (settings with { TileSize = tile }).ToJson()));
        using var tiled = kit.Engine.CreateObjective(tiledStart.State);
        Assert.IsType<TiledStyleObjective>(tiled);
        var tiledGradient = new float[image.Data.Length];
        var tiledLoss = tiled.Evaluate(image.Data, tiledGradient, default);
        var tiledParts = tiled.Measure(image.Data, default);

        var scale = wholeGradient.Max(Math.Abs);
        var worst = wholeGradient.Zip(tiledGradient, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{((TiledStyleObjective)tiled).TileCount} tiles; loss whole {wholeLoss:G9} tiled {tiledLoss:G9}; parts {wholeParts} vs {tiledParts}; max |grad diff| {worst:E2} of max |grad| {scale:E2}");
        Assert.Equal(wholeLoss, tiledLoss, wholeLoss * 1e-5);
        Assert.Equal(wholeParts.Style, tiledParts.Style, wholeParts.Style * 1e-5);
        Assert.Equal(wholeParts.Content, tiledParts.Content, wholeParts.Content * 1e-5);
        Assert.Equal(wholeParts.TotalVariation, tiledParts.TotalVariation, wholeParts.TotalVariation * 1e-5);
        Assert.True(worst <= 1e-4 * scale, $"max gradient difference {worst:E2} of {scale:E2}");
    }

    [Fact]
    public async Task A_tiled_transfer_resumes_exactly_and_converges()
    {
        var settings = new StyleSettings { StyleLayers = "stem,layer1", ContentLayers = "layer1", Scales = [96, 160], Iterations = 3, TileSize = 128, Seed = 2 };
        var start = await kit.Engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(160, 120), [StyleTestKit.Style(TestImages.PatternPng(64, 64))], settings.ToJson()));
        var whole = await kit.RunToEnd(start, int.MaxValue);
        var ones = await kit.RunToEnd(start, 1);
        Assert.Equal(whole.State, ones.State);
        var parts = kit.Engine.Inspect(whole.State).LastParts!.Value;
        Assert.True(double.IsFinite(parts.Total) && whole.Progress.Loss < (await kit.Engine.MeasureAsync(start.State)).Total);
    }
}
