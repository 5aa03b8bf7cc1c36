using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Networks;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Harness;

/// <summary>
/// The dream-objective check shared by the single-tap, multi-tap and channel tests: compile, run on
/// ONNX Runtime, compare the loss with the float64 reference and the gradient with its central
/// finite differences.
/// </summary>
internal static class DreamCheck
{
    /// <summary>ORT's float32 loss against the float64 reference.</summary>
    public const double LossTolerance = 1e-4;

    /// <summary>
    /// The compiled float32 gradient against float64 finite differences. Measured: the worst sample over
    /// all networks, sizes and objectives is reported in each test's output (typically 1e-6 to 1e-5).
    /// </summary>
    public const double GradientTolerance = 1e-3;

    /// <summary>
    /// First step in image units (pixels in [0,1]). float64 roundoff gives an error of about
    /// 1e-16 |loss| / step (about 1e-10 relative here); a step this small rarely straddles a ReLU,
    /// Clip or MaxPool kink, and when it does <see cref="FiniteDifferences.Derivative"/> shrinks it.
    /// </summary>
    public const double Step = 1e-6;

    public const int RandomDirections = 3;
    public const int RandomPixels = 3;

    public static void Run(ITestOutputHelper output, TestNetwork network, DreamParameters objective, int h, int w) =>
        Run(output, network, CompiledModels.Get(network, objective.Objective()), objective, h, w);

    /// <summary>Checks <paramref name="objective"/>'s weights and channels fed into an already compiled dream graph.</summary>
    public static void Run(ITestOutputHelper output, TestNetwork network, CompiledModel compiled, DreamParameters objective, int h, int w)
    {
        var (image32, image64) = TestImages.Random(h, w, seed: h * 1000 + w);
        var feeds = Feeds(compiled.Runner, objective);
        feeds[GraphNames.Image] = TestImages.Tensor(image32, h, w);
        var result = compiled.Runner.Run(feeds, [GraphNames.Loss, GraphNames.Grad]);
        var loss = result[GraphNames.Loss];
        var grad = result[GraphNames.Grad];
        Assert.Equal([1L, 3, h, w], grad.Shape);
        Assert.Single(loss.Data);
        Assert.All(grad.Data, v => Assert.True(float.IsFinite(v), "The gradient has a non-finite entry."));

        var referenceLoss = ReferenceLoss.Dream(CompiledModels.Reference(network), network.Manifest, objective, h, w);
        var expectedLoss = referenceLoss(image64);
        var lossError = Math.Abs(loss.Data[0] - expectedLoss) / Math.Abs(expectedLoss);
        output.WriteLine($"{network.Name} {h}x{w} {objective}: loss ORT {loss.Data[0]:E7} reference {expectedLoss:E7} (rel {lossError:E2})");
        Assert.True(lossError <= LossTolerance,
            $"{network.Name} {h}x{w} {objective}: loss {loss.Data[0]:E7} vs float64 {expectedLoss:E7} (relative error {lossError:E2}).");
        Assert.True(grad.Data.Any(v => v != 0), "The gradient is identically zero.");

        var report = FiniteDifferences.Check($"{network.Name} {h}x{w} {objective}", referenceLoss, image64, grad.Data, h, w,
            seed: h + 31 * w, RandomDirections, RandomPixels, Step);
        output.WriteLine(report.ToString());
        Assert.True(report.MaxRelativeError <= GradientTolerance,
            $"Gradient mismatch, worst: {report.Worst}\n{report}");
    }

    /// <summary>The dream graph's weight and channel-mask inputs for <paramref name="parameters"/>, channel counts read from the graph.</summary>
    public static Dictionary<string, OrtTensor> Feeds(OrtRunner runner, DreamParameters parameters) =>
        parameters.Inputs(tap => runner.InputMetadata[DreamGraphNames.ChannelMask(tap)].Dimensions[1])
            .ToDictionary(i => i.Name, i => new OrtTensor(i.Values, i.Shape), StringComparer.Ordinal);

    /// <summary>The guided dream graph's weight inputs.</summary>
    public static Dictionary<string, OrtTensor> GuidedFeeds(DreamParameters parameters) =>
        parameters.GuidedInputs().ToDictionary(i => i.Name, i => new OrtTensor(i.Values, i.Shape), StringComparer.Ordinal);
}
