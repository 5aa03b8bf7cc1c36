using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using NeuralArt.Graphs.Tests.Reference;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>
/// Guided dream, <c>loss = sum_t w_t * sum_x max_y &lt;A_t(x), G_t(y)&gt; / N_t</c> (N_t: positions of A_t):
/// by formula on a network whose tap is the image, and by finite differences on a real CNN.
/// </summary>
public sealed class GuidedDreamTests(ITestOutputHelper output)
{
    private const float Weight = 0.8f;

    /// <summary>float32 graph against the float64 formula: loss and every gradient entry.</summary>
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(9, 11, 5, 7)]
    [InlineData(6, 4, 8, 9)]
    public void Gradient_is_the_best_matching_guide_vector_times_weight_over_positions(int h, int w, int gh, int gw)
    {
        var network = SpecialNetworks.IdentityTap();
        var objective = new DreamParameters([new TapWeight("image", Weight)]);
        var compiled = CompiledModels.Get(network, objective.GuidedObjective());
        var (image32, image64) = TestImages.Random(h, w, seed: 5);
        var guide32 = FiniteDifferences.Gaussian(new Random(6), 3 * gh * gw).Select(v => (float)v).ToArray();
        var guide = RefTensor.FromFloats(guide32, [1, 3, gh, gw]);

        var result = compiled.Runner.Run(new Dictionary<string, OrtTensor>(DreamCheck.GuidedFeeds(objective))
        {
            [GraphNames.Image] = TestImages.Tensor(image32, h, w),
            [GraphNames.GuidePrefix + "image"] = new(guide32, [1, 3, gh, gw]),
        }, [GraphNames.Loss, GraphNames.Grad]);

        var (loss, best) = ReferenceObjectives.GuidedLoss(
            new Dictionary<string, RefTensor> { ["t"] = new([1, 3, h, w], image64) },
            new Dictionary<string, RefTensor> { ["t"] = guide },
            [("t", (double)Weight)]);
        var n = h * w;
        var expected = new double[3 * n];
        for (var x = 0; x < n; x++)
        {
            for (var c = 0; c < 3; c++) expected[c * n + x] = Weight * guide.Data[c * gh * gw + best["t"][x]] / n;
        }

        var actualLoss = result[GraphNames.Loss].Data[0];
        output.WriteLine($"loss ORT {actualLoss:E7} formula {loss:E7}");
        Assert.True(Math.Abs(actualLoss - loss) <= Tolerance * Math.Abs(loss), $"Guided loss {actualLoss:E7}, formula {loss:E7}.");
        var grad = result[GraphNames.Grad];
        Assert.Equal([1L, 3, h, w], grad.Shape);
        var scale = expected.Max(Math.Abs);
        var worst = Enumerable.Range(0, expected.Length).MaxBy(i => Math.Abs(grad.Data[i] - expected[i]));
        var maxDiff = Math.Abs(grad.Data[worst] - expected[worst]);
        output.WriteLine($"max |grad - formula| / scale = {maxDiff / scale:E2}");
        Assert.True(maxDiff <= Tolerance * scale,
            $"Guided gradient at flat index {worst}: {grad.Data[worst]:E6}, formula {expected[worst]:E6} (N = {n} positions, weight {Weight}).");
    }

    [Theory]
    [InlineData("vgg", "block2", 12, 16)]
    [InlineData("inception", "mixed", 17, 23)]
    public void Gradient_matches_finite_differences_on_a_cnn(string name, string tap, int h, int w)
    {
        var network = TestNetworks.Get(name);
        var objective = new DreamParameters([new TapWeight(tap, Weight)]);
        var compiled = CompiledModels.Get(network, objective.GuidedObjective());
        var reference = CompiledModels.Reference(network);

        // The guide: the tap's features of another image at another size, as the engine would feed them.
        var (gh, gw) = (h - 3, w + 2);
        var (_, guideImage) = TestImages.Random(gh, gw, seed: 8);
        var guideFeatures = ReferenceLoss.Features(reference, network.Manifest, [tap], guideImage, gh, gw)[tap];
        var guide32 = guideFeatures.ToFloats();
        var guide = RefTensor.FromFloats(guide32, guideFeatures.Shape);

        var (image32, image64) = TestImages.Random(h, w, seed: 9);
        var result = compiled.Runner.Run(new Dictionary<string, OrtTensor>(DreamCheck.GuidedFeeds(objective))
        {
            [GraphNames.Image] = TestImages.Tensor(image32, h, w),
            [GraphNames.GuidePrefix + tap] = new(guide32, guideFeatures.Shape.Select(d => (long)d).ToArray()),
        }, [GraphNames.Loss, GraphNames.Grad]);

        var loss = ReferenceLoss.Guided(reference, network.Manifest, objective, new Dictionary<string, RefTensor> { [tap] = guide }, h, w);
        var expectedLoss = loss(image64);
        var actualLoss = result[GraphNames.Loss].Data[0];
        output.WriteLine($"loss ORT {actualLoss:E7} reference {expectedLoss:E7}");
        Assert.True(Math.Abs(actualLoss - expectedLoss) <= DreamCheck.LossTolerance * Math.Abs(expectedLoss),
            $"Guided loss {actualLoss:E7}, float64 {expectedLoss:E7}.");

        var report = FiniteDifferences.Check($"{name} guided {tap} {h}x{w}", loss, image64, result[GraphNames.Grad].Data, h, w,
            seed: 10, DreamCheck.RandomDirections, DreamCheck.RandomPixels, DreamCheck.Step);
        output.WriteLine(report.ToString());
        Assert.True(report.MaxRelativeError <= DreamCheck.GradientTolerance, $"Guided gradient mismatch, worst: {report.Worst}\n{report}");
    }
}
