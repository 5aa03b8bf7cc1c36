using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Tests.Style;

/// <summary>
/// Scale smoothing at 1e-3 multiplies the layer3/layer4 style terms by 1e-12; the engine leaves those
/// taps out of its graphs. The whole objective must not notice.
/// </summary>
public sealed class StyleTapPruningTests(StyleTestKit kit) : IClassFixture<StyleTestKit>
{
    private static readonly string[] AllTaps = ["stem", "layer1", "layer2", "layer3", "layer4"];

    [Fact]
    public void Default_scale_smoothing_drops_the_smoothed_taps_and_only_those()
    {
        var taps = AllTaps.Select(t => new TapWeight(t, 1f)).ToList();
        var smoothing = new StyleSettings().ResolveSmoothing(residual: true);
        var (kept, dropped) = StyleModel.DropNegligibleTaps(taps, smoothing);
        Assert.Equal(["stem", "layer1", "layer2"], kept.Select(t => t.Tap));
        Assert.Equal(["layer3", "layer4"], dropped);
        // A factor whose fourth power still counts keeps every tap; softmax never drops.
        Assert.Equal(5, StyleModel.DropNegligibleTaps(taps, smoothing! with { Factor = 0.1f }).Kept.Count);
        Assert.Equal(5, StyleModel.DropNegligibleTaps(taps, smoothing with { Mode = StyleSmoothingMode.Softmax }).Kept.Count);
    }

    [Fact]
    public void Loss_and_gradient_with_the_dropped_taps_equal_those_without_them()
    {
        const int h = 48, w = 64;
        var manifest = kit.Graphs.GetManifest("resnet18");
        var smoothing = new StyleSmoothing(StyleSmoothingMode.Scale, 1e-3f, Taps: ["layer3", "layer4"]);
        var image = TestImages.RandomTensor(h, w, seed: 1);
        var style = TestImages.RandomTensor(56, 40, seed: 2);
        var content = TestImages.RandomTensor(h, w, seed: 3);

        (double Loss, float[] Gradient) Evaluate(string[] styleTaps, StyleSmoothing? s)
        {
            using var targetsLease = kit.Pool.Rent(kit.Graphs.GetGraph(manifest, new StyleTargetsObjective(styleTaps, ["layer3"], s)).Path);
            using var objectiveLease = kit.Pool.Rent(kit.Graphs.GetGraph(manifest, new StyleObjective(styleTaps, ["layer3"], s)).Path);
            var targets = new FeatureExtractor(targetsLease.Session);
            using var runner = new GradientRunner(objectiveLease.Session);
            foreach (var map in targets.Run(style).Where(m => m.Name.StartsWith("style_target.", StringComparison.Ordinal)))
            {
                runner.SetExtraInput(map.Name, map.Data, map.Shape);
                runner.SetExtraInput(StyleGraphNames.StyleWeight(map.Name["style_target.".Length..]), [1e5f], []);
            }
            var contentMap = targets.Run(content).Single(m => m.Name == StyleGraphNames.ContentTarget("layer3"));
            runner.SetExtraInput(contentMap.Name, contentMap.Data, contentMap.Shape);
            runner.SetExtraInput(StyleGraphNames.ContentWeight("layer3"), [1f], []);
            runner.SetExtraInput(StyleGraphNames.TvWeight, [10f], []);
            var gradient = new NeuralArt.Engine.Tensors.ImageTensor(h, w);
            var loss = runner.Run(image, gradient);
            return (loss, gradient.Data);
        }

        var (allLoss, allGradient) = Evaluate(AllTaps, smoothing);
        var (keptLoss, keptGradient) = Evaluate(["stem", "layer1", "layer2"], null);
        Assert.Equal(allLoss, keptLoss, allLoss * 1e-6);
        var scale = allGradient.Max(Math.Abs);
        var worst = allGradient.Zip(keptGradient, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-5 * scale, $"max gradient difference {worst} of {scale}");
    }
}
