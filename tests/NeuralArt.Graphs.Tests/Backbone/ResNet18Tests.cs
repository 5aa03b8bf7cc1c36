using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Reference;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Backbone;

/// <summary>The compiler on the backbone we ship: pad rewrite, gradient, odd sizes.</summary>
public sealed class ResNet18Tests(ResNet18Fixture resnet, ITestOutputHelper output) : IClassFixture<ResNet18Fixture>
{
    /// <summary>The original graph's only input size.</summary>
    private const int NativeSize = 224;

    /// <summary>Pad rewrite: max |diff| over the tap's max |value| (the issue's bound).</summary>
    private const double PadRewriteTolerance = 1e-4;

    /// <summary>
    /// Compiled float32 gradient against float64 finite differences of the float64 reference (which
    /// is itself checked against ONNX Runtime below): the same bound as the small networks.
    /// </summary>
    private const double ReferenceGradientTolerance = 1e-3;

    /// <summary>Step for float64 differences; see <see cref="DreamCheck.Step"/>.</summary>
    private const double ReferenceStep = 1e-6;

    /// <summary>
    /// Compiled gradient against finite differences of the compiled float32 features themselves (the
    /// check a user can run on any backbone, without a float64 reference). Measured at 64x80 with the
    /// loss accumulated in float64: along the gradient and its restrictions to image regions the
    /// error is 1e-4 to 2e-3 for steps 1e-6 to 3e-5; 1e-2 leaves a factor of five. Random directions
    /// are not used here: their derivative is sqrt(pixels) (about 120) times smaller than along the
    /// gradient while the float32 rounding of the loss is the same, and steps large enough to beat that
    /// rounding cross ReLU kinks densely (measured errors 6e-3 to 1.9 for steps 1e-7 to 3e-5). The
    /// float64-reference test above checks random directions to 1e-5.
    /// </summary>
    private const double Float32GradientTolerance = 1e-2;

    /// <summary>Step in [0,1] pixel units per unit of the direction's RMS; the middle of the measured sweet spot.</summary>
    private const double Float32Step = 3e-6;

    /// <summary>Width of the border strips whose gradient restriction is checked (border pads show there).</summary>
    private const int BorderStrip = 8;

    private static readonly string[] FeatureTaps = ["stem", "pool1", "layer1", "layer2", "layer3", "layer4"];

    private static DreamParameters Dream => new([new TapWeight("layer3", 1f), new TapWeight("layer2", 0.5f)]);

    /// <summary>
    /// Other weights (one negative) and a channel selection on the same taps as <see cref="Dream"/>:
    /// fed as inputs into the same compiled graph.
    /// </summary>
    private static DreamParameters WeightedChannels => new([new TapWeight("layer2", -1.3f), new TapWeight("layer3", 0.7f)], [1, 5, 17, 60, 127]);

    /// <summary>Runs the compiled dream graph of <paramref name="parameters"/>' taps with its weights and masks fed.</summary>
    private Dictionary<string, OrtTensor> RunDream(DreamParameters parameters, float[] image32, int h, int w)
    {
        var runner = resnet.Compiled(parameters.Objective()).Runner;
        var feeds = DreamCheck.Feeds(runner, parameters);
        feeds[GraphNames.Image] = TestImages.Tensor(image32, h, w);
        return runner.Run(feeds, [GraphNames.Loss, GraphNames.Grad]);
    }

    [Fact]
    public void Reference_matches_the_original_backbone_on_onnx_runtime()
    {
        // Ground truth check for the tests below: the float64 reference (with the pad rewrite) equals
        // the original graph at 224, where the rewrite changes nothing.
        var taps = new[] { "pool1", "layer2" };
        var tensors = taps.Select(resnet.Manifest.ResolveTap).ToList();
        var (image32, image64) = TestImages.Random(NativeSize, NativeSize, seed: 224);
        var original = OriginalFeatures(tensors, image32);
        var reference = ReferenceLoss.Features(resnet.Reference, resnet.Manifest, taps, image64, NativeSize, NativeSize);
        for (var i = 0; i < taps.Length; i++)
        {
            var error = MaxDiffOverScale(reference[taps[i]].Data, original[tensors[i]].Data);
            output.WriteLine($"reference vs original {taps[i]}: max |diff| / scale = {error:E2}");
            Assert.True(error <= PadRewriteTolerance, $"{taps[i]}: {error:E2}");
        }
    }

    [Fact]
    public void Pad_rewrite_gives_the_original_features_at_224()
    {
        var tensors = FeatureTaps.Select(resnet.Manifest.ResolveTap).ToList();
        var (image32, _) = TestImages.Random(NativeSize, NativeSize, seed: 1);
        var original = OriginalFeatures(tensors, image32);
        var compiled = resnet.Compiled(new FeaturesObjective(FeatureTaps))
            .Runner.Run(GraphNames.Image, TestImages.Tensor(image32, NativeSize, NativeSize));

        for (var i = 0; i < FeatureTaps.Length; i++)
        {
            var expected = original[tensors[i]];
            var actual = compiled[FeatureTaps[i]];
            Assert.Equal(expected.Shape, actual.Shape);
            var error = MaxDiffOverScale(expected.Data.Select(v => (double)v).ToArray(), actual.Data);
            output.WriteLine($"{FeatureTaps[i]} [{string.Join(",", actual.Shape)}]: max |diff| / max |value| = {error:E2}");
            Assert.True(error <= PadRewriteTolerance, $"Tap {FeatureTaps[i]}: max |diff| / scale = {error:E2}.");
        }
    }

    [Fact]
    public void Gradient_matches_float64_finite_differences_at_64x80()
    {
        const int h = 64, w = 80;
        var (image32, image64) = TestImages.Random(h, w, seed: 2);
        var result = RunDream(Dream, image32, h, w);
        var loss = ReferenceLoss.Dream(resnet.Reference, resnet.Manifest, Dream, h, w);

        var expectedLoss = loss(image64);
        var lossError = Math.Abs(result[GraphNames.Loss].Data[0] - expectedLoss) / expectedLoss;
        output.WriteLine($"loss ORT {result[GraphNames.Loss].Data[0]:E7} float64 {expectedLoss:E7} (rel {lossError:E2})");
        Assert.True(lossError <= DreamCheck.LossTolerance, $"Loss relative error {lossError:E2}.");

        var report = FiniteDifferences.Check($"resnet18 {Dream} {h}x{w} (float64 reference)", loss, image64,
            result[GraphNames.Grad].Data, h, w, seed: 3, randomDirections: 2, randomPixels: 0, ReferenceStep);
        output.WriteLine(report.ToString());
        Assert.True(report.MaxRelativeError <= ReferenceGradientTolerance, $"Worst: {report.Worst}\n{report}");
    }

    [Fact]
    public void Weights_and_channel_masks_fed_as_inputs_match_float64_finite_differences()
    {
        const int h = 48, w = 64;
        Assert.Equal(Dream.Objective(), WeightedChannels.Objective());
        var (image32, image64) = TestImages.Random(h, w, seed: 12);
        var result = RunDream(WeightedChannels, image32, h, w);
        var loss = ReferenceLoss.Dream(resnet.Reference, resnet.Manifest, WeightedChannels, h, w);

        var expectedLoss = loss(image64);
        var lossError = Math.Abs(result[GraphNames.Loss].Data[0] - expectedLoss) / Math.Abs(expectedLoss);
        output.WriteLine($"loss ORT {result[GraphNames.Loss].Data[0]:E7} float64 {expectedLoss:E7} (rel {lossError:E2})");
        Assert.True(lossError <= DreamCheck.LossTolerance, $"Loss relative error {lossError:E2}.");

        var report = FiniteDifferences.Check($"resnet18 {WeightedChannels} {h}x{w} (float64 reference)", loss, image64,
            result[GraphNames.Grad].Data, h, w, seed: 13, randomDirections: 1, randomPixels: 0, ReferenceStep);
        output.WriteLine(report.ToString());
        Assert.True(report.MaxRelativeError <= ReferenceGradientTolerance, $"Worst: {report.Worst}\n{report}");
    }

    [Fact]
    public void Gradient_matches_float32_finite_differences_of_the_compiled_features_at_64x80()
    {
        const int h = 64, w = 80;
        var (image32, _) = TestImages.Random(h, w, seed: 4);
        var grad = RunDream(Dream, image32, h, w)[GraphNames.Grad].Data;
        var features = resnet.Compiled(new FeaturesObjective(Dream.Taps.Select(t => t.Tap).ToList())).Runner;

        // The loss accumulated in float64 from the float32 activations.
        double Loss(float[] image)
        {
            var taps = features.Run(GraphNames.Image, TestImages.Tensor(image, h, w));
            var sum = 0.0;
            foreach (var t in Dream.Taps)
            {
                var a = taps[t.Tap].Data;
                sum += t.Weight * a.Sum(v => (double)v * v) / a.Length;
            }
            return sum;
        }

        var errors = new List<double>();
        // The gradient over the whole image, each quadrant, and each border strip.
        (string Name, int Y0, int Y1, int X0, int X1)[] regions =
        [
            ("whole image", 0, h, 0, w),
            ("top left", 0, h / 2, 0, w / 2), ("top right", 0, h / 2, w / 2, w),
            ("bottom left", h / 2, h, 0, w / 2), ("bottom right", h / 2, h, w / 2, w),
            ("top strip", 0, BorderStrip, 0, w), ("bottom strip", h - BorderStrip, h, 0, w),
            ("left strip", 0, h, 0, BorderStrip), ("right strip", 0, h, w - BorderStrip, w),
        ];
        foreach (var (region, y0, y1, x0, x1) in regions)
        {
            var d = new double[grad.Length];
            for (var c = 0; c < 3; c++)
            {
                for (var y = y0; y < y1; y++)
                {
                    for (var x = x0; x < x1; x++) d[(c * h + y) * w + x] = grad[(c * h + y) * w + x];
                }
            }
            // Difference the float32 images actually fed, so input rounding does not count as error.
            var plus = new float[grad.Length];
            var minus = new float[grad.Length];
            var rms = Math.Sqrt(FiniteDifferences.Dot(d, d) / d.Length);
            for (var i = 0; i < grad.Length; i++)
            {
                var scaled = Float32Step * d[i] / rms;
                plus[i] = (float)(image32[i] + scaled);
                minus[i] = (float)(image32[i] - scaled);
            }
            var analytic = 0.0;
            for (var i = 0; i < grad.Length; i++) analytic += grad[i] * ((double)plus[i] - minus[i]);
            var numeric = Loss(plus) - Loss(minus);
            var error = Math.Abs(analytic - numeric) / Math.Max(Math.Abs(analytic), Math.Abs(numeric));
            errors.Add(error);
            output.WriteLine($"float32 FD along the gradient on {region,-12}: analytic {analytic:E6} numeric {numeric:E6} rel {error:E2}");
        }
        Assert.True(errors.Max() <= Float32GradientTolerance, $"Worst relative error {errors.Max():E2}.");
    }

    [Fact]
    public void Works_at_a_size_that_is_not_a_multiple_of_32()
    {
        // 97x131: odd at every stride-2 stage, where the original CNTK graph's residual Adds break.
        const int h = 97, w = 131;
        var (image32, image64) = TestImages.Random(h, w, seed: 6);
        var result = RunDream(Dream, image32, h, w);
        var grad = result[GraphNames.Grad];
        Assert.Equal([1L, 3, h, w], grad.Shape);
        Assert.All(grad.Data, v => Assert.True(float.IsFinite(v)));

        var features = resnet.Compiled(new FeaturesObjective(FeatureTaps)).Runner.Run(GraphNames.Image, TestImages.Tensor(image32, h, w));
        // torchvision layout: stem and pool1 halve with rounding up, each later stage too.
        int Down(int x, int times) { for (var i = 0; i < times; i++) x = (x + 1) / 2; return x; }
        Assert.Equal([1L, 64, Down(h, 1), Down(w, 1)], features["stem"].Shape);
        Assert.Equal([1L, 256, Down(h, 4), Down(w, 4)], features["layer3"].Shape);
        Assert.Equal([1L, 512, Down(h, 5), Down(w, 5)], features["layer4"].Shape);

        var loss = ReferenceLoss.Dream(resnet.Reference, resnet.Manifest, Dream, h, w);
        var expectedLoss = loss(image64);
        var lossError = Math.Abs(result[GraphNames.Loss].Data[0] - expectedLoss) / expectedLoss;
        output.WriteLine($"loss ORT {result[GraphNames.Loss].Data[0]:E7} float64 {expectedLoss:E7} (rel {lossError:E2})");
        Assert.True(lossError <= DreamCheck.LossTolerance, $"Loss relative error {lossError:E2}.");

        var report = FiniteDifferences.Check($"resnet18 {Dream} {h}x{w} (float64 reference)", loss, image64,
            grad.Data, h, w, seed: 7, randomDirections: 1, randomPixels: 0, ReferenceStep);
        output.WriteLine(report.ToString());
        Assert.True(report.MaxRelativeError <= ReferenceGradientTolerance, $"Worst: {report.Worst}\n{report}");
    }

    /// <summary>The original graph's tensors for an RGB image, fed as it expects (BGR * 255 - mean).</summary>
    private Dictionary<string, OrtTensor> OriginalFeatures(IReadOnlyList<string> tensors, float[] rgb)
    {
        using var original = resnet.Original(tensors);
        var input = ReferenceObjectives.Preprocess(new RefTensor([1, 3, NativeSize, NativeSize], rgb.Select(v => (double)v).ToArray()),
            resnet.Manifest.Preprocessing).ToFloats();
        return original.Run(resnet.Manifest.Input!, new OrtTensor(input, [1, 3, NativeSize, NativeSize]), tensors);
    }

    private static double MaxDiffOverScale(double[] expected, float[] actual)
    {
        var scale = expected.Max(Math.Abs);
        var diff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        return diff / scale;
    }
}
