using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using NeuralArt.Graphs.Tests.Reference;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>
/// Guided (masked) Grams, <see cref="StyleObjective.Masked"/>: the compiled style term against a
/// float64 reference written from the formula <c>sum_k w_k mean((F diag(m_k) F^T / (C sum m_k) - T_k)^2)</c>,
/// and the gradient against its central finite differences, with two regions whose masks are
/// random in [0,1] (a soft mask exercises the weighting, not only a selection) and overlap.
/// </summary>
public sealed class MaskedStyleGradientTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> NetworksAndSmoothings()
    {
        var data = new TheoryData<string, string>();
        foreach (var network in TestNetworks.WithMultiTap)
        {
            foreach (var smoothing in new[] { "none", "softmax" }) data.Add(network.Name, smoothing);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NetworksAndSmoothings))]
    public void Masked_style_gradient_matches_finite_differences(string name, string smoothingMode)
    {
        var network = TestNetworks.Get(name);
        var taps = network.MultiTap!.Select(t => t.Tap).ToList();
        StyleSmoothing? smoothing = smoothingMode == "softmax" ? new StyleSmoothing(StyleSmoothingMode.Softmax, Temperature: 2f, Taps: [taps[^1]]) : null;
        var objective = new StyleObjective(taps, [taps[^1]], smoothing, Masked: true);
        var (h, w) = network.Sizes[0];
        const int seed = 21;
        var (image32, image64) = TestImages.Random(h, w, seed);
        var reference = new MaskedStyleReference(CompiledModels.Reference(network), network.Manifest, objective, h, w);
        reference.Prepare(image64, seed);
        var inputs = reference.Inputs();
        inputs[GraphNames.Image] = TestImages.Tensor(image32, h, w);
        var result = CompiledModels.Get(network, objective).Runner.Run(inputs, [GraphNames.Loss, GraphNames.Grad, StyleGraphNames.StyleLoss]);

        var style = result[StyleGraphNames.StyleLoss].Data[0];
        var expected = reference.Style(image64);
        var error = Math.Abs(style - expected) / Math.Abs(expected);
        output.WriteLine($"masked style: ORT {style:E7} float64 {expected:E7} (rel {error:E2})");
        Assert.True(error <= StyleCheck.LossTolerance, $"masked style loss {style:E7} vs float64 {expected:E7}");

        var grad = result[GraphNames.Grad].Data;
        var report = FiniteDifferences.Check($"masked style {h}x{w}", reference.Loss, image64, grad, h, w, seed + 3,
            DreamCheck.RandomDirections, DreamCheck.RandomPixels, DreamCheck.Step);
        output.WriteLine(report.ToString());
        Assert.True(report.MaxRelativeError <= DreamCheck.GradientTolerance, $"Gradient mismatch, worst: {report.Worst}\n{report}");
    }

    [Fact]
    public void Masks_of_ones_give_the_plain_gram_loss()
    {
        // One region covering everything is the unmasked objective: same loss, same gradient.
        var network = TestNetworks.WithMultiTap.First();
        var taps = network.MultiTap!.Select(t => t.Tap).ToList();
        var (h, w) = network.Sizes[1];
        var plainObjective = new StyleObjective(taps, [taps[^1]]);
        var maskedObjective = plainObjective with { Masked = true };
        var (image32, image64) = TestImages.Random(h, w, 5);
        var plain = new StyleReference(CompiledModels.Reference(network), network.Manifest, plainObjective, h, w);
        plain.Prepare(image64, 5);
        var plainInputs = plain.Inputs();
        plainInputs[GraphNames.Image] = TestImages.Tensor(image32, h, w);
        var maskedInputs = new Dictionary<string, OrtTensor>(plainInputs, StringComparer.Ordinal);
        var features = plain.Features(image64);
        foreach (var tap in taps)
        {
            var (_, c, fh, fw) = features[tap].Nchw(tap);
            maskedInputs[StyleGraphNames.StyleTarget(tap)] = plainInputs[StyleGraphNames.StyleTarget(tap)] with { Shape = [1, c, c] };
            maskedInputs[StyleGraphNames.StyleWeight(tap)] = plainInputs[StyleGraphNames.StyleWeight(tap)] with { Shape = [1] };
            maskedInputs[StyleGraphNames.StyleMask(tap)] = new OrtTensor(Enumerable.Repeat(1f, fh * fw).ToArray(), [1, 1, fh, fw]);
        }
        var a = CompiledModels.Get(network, plainObjective).Runner.Run(plainInputs, [GraphNames.Loss, GraphNames.Grad]);
        var b = CompiledModels.Get(network, maskedObjective).Runner.Run(maskedInputs, [GraphNames.Loss, GraphNames.Grad]);
        var scale = a[GraphNames.Grad].Data.Max(Math.Abs);
        var worst = a[GraphNames.Grad].Data.Zip(b[GraphNames.Grad].Data, (x, y) => Math.Abs(x - y)).Max() / scale;
        output.WriteLine($"loss {a[GraphNames.Loss].Data[0]:E7} vs {b[GraphNames.Loss].Data[0]:E7}; gradient max difference {worst:E2} of its largest entry");
        Assert.Equal(a[GraphNames.Loss].Data[0], b[GraphNames.Loss].Data[0], 1e-5 * Math.Abs(a[GraphNames.Loss].Data[0]));
        Assert.True(worst < 1e-5, $"gradient differs by {worst:E2}");
    }
}

/// <summary>The masked style term in float64 from its formula, with random soft masks and equalized region weights.</summary>
internal sealed class MaskedStyleReference(ReferenceModel model, BackboneManifest manifest, StyleObjective objective, int h, int w)
{
    private readonly StyleReference _plain = new(model, manifest, objective with { Masked = false }, h, w);

    public Dictionary<string, double[][]> Masks { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, double[][]> Targets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, double[]> Weights { get; } = new(StringComparer.Ordinal);

    public double Style(double[] image)
    {
        var features = _plain.Features(image);
        double sum = 0;
        foreach (var tap in objective.StyleTaps)
        {
            var (_, c, fh, fw) = features[tap].Nchw(tap);
            var f = _plain.Smoothed(tap, features[tap].Data, c, fh * fw);
            for (var k = 0; k < Masks[tap].Length; k++)
            {
                var m = Masks[tap][k];
                var z = m.Sum();
                var t = Targets[tap][k];
                double squares = 0;
                for (var i = 0; i < c; i++)
                {
                    for (var j = 0; j < c; j++)
                    {
                        double g = 0;
                        for (var p = 0; p < m.Length; p++) g += m[p] * f[i * m.Length + p] * f[j * m.Length + p];
                        var d = g / (c * z) - t[i * c + j];
                        squares += d * d;
                    }
                }
                sum += Weights[tap][k] * squares / ((double)c * c);
            }
        }
        return sum;
    }

    public double Loss(double[] image)
    {
        var (_, content, tv) = _plain.Parts(image);
        return Style(image) + content + tv;
    }

    /// <summary>
    /// The plain content and TV terms as <see cref="StyleReference.Prepare"/> sets them; per style tap
    /// and region a random soft mask, a target (the plain target scaled differently per region, so
    /// the regions pull apart), and a weight that makes the region's term 1 at the image.
    /// </summary>
    public void Prepare(double[] image, int seed)
    {
        _plain.Prepare(image, seed);
        var features = _plain.Features(image);
        var random = new Random(seed + 7);
        foreach (var tap in objective.StyleTaps)
        {
            var (_, _, fh, fw) = features[tap].Nchw(tap);
            _shapes[tap] = (fh, fw);
            Masks[tap] = Enumerable.Range(0, Regions).Select(_ => Enumerable.Range(0, fh * fw).Select(_ => random.NextDouble()).ToArray()).ToArray();
            Targets[tap] = Enumerable.Range(0, Regions).Select(k => _plain.StyleTargets[tap].Select(v => v * (0.5 + k)).ToArray()).ToArray();
            Weights[tap] = new double[Regions];
        }
        var equalizing = objective.StyleTaps.ToDictionary(t => t, _ => new double[Regions], StringComparer.Ordinal);
        foreach (var tap in objective.StyleTaps)
        {
            for (var k = 0; k < Regions; k++)
            {
                Weights[tap][k] = 1;
                equalizing[tap][k] = 1 / Style(image);
                Weights[tap][k] = 0;
            }
        }
        foreach (var (tap, weights) in equalizing) Weights[tap] = weights;
    }

    public Dictionary<string, OrtTensor> Inputs()
    {
        var inputs = _plain.Inputs();
        foreach (var tap in objective.StyleTaps)
        {
            var c = (long)Math.Round(Math.Sqrt(Targets[tap][0].Length));
            var (fh, fw) = _shapes[tap];
            inputs[StyleGraphNames.StyleTarget(tap)] = new OrtTensor(Targets[tap].SelectMany(t => t).Select(v => (float)v).ToArray(), [Regions, c, c]);
            inputs[StyleGraphNames.StyleWeight(tap)] = new OrtTensor(Weights[tap].Select(v => (float)v).ToArray(), [Regions]);
            inputs[StyleGraphNames.StyleMask(tap)] = new OrtTensor(Masks[tap].SelectMany(m => m).Select(v => (float)v).ToArray(), [Regions, 1, fh, fw]);
        }
        return inputs;
    }

    private const int Regions = 2;

    private readonly Dictionary<string, (long H, long W)> _shapes = new(StringComparer.Ordinal);
}
