using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Reference;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Harness;

/// <summary>
/// The style objective (<see cref="StyleObjective"/>) written out in float64 from its documented
/// formulas: Grams <c>F F^T / (C N)</c> of the smoothed features, <c>w mean((G - T)^2)</c> per style
/// tap, <c>w mean((A - P)^2)</c> per content tap, <c>w (sum dh^2 + sum dw^2) / (3 H W)</c>.
/// </summary>
internal sealed class StyleReference(ReferenceModel model, BackboneManifest manifest, StyleObjective objective, int h, int w)
{
    public Dictionary<string, double> StyleWeights { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, double> ContentWeights { get; } = new(StringComparer.Ordinal);

    public double TvWeight { get; set; }

    public Dictionary<string, double[]> StyleTargets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, RefTensor> ContentTargets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, RefTensor> Features(double[] image) =>
        ReferenceLoss.Features(model, manifest, objective.StyleTaps.Concat(objective.ContentTaps).Distinct().ToList(), image, h, w);

    /// <summary>The Gram of one tap's (smoothed) features, row-major [C,C].</summary>
    public double[] Gram(string tap, RefTensor features)
    {
        var (_, c, fh, fw) = features.Nchw(tap);
        var n = fh * fw;
        var f = Smoothed(tap, features.Data, c, n);
        var gram = new double[c * c];
        for (var i = 0; i < c; i++)
        {
            for (var j = i; j < c; j++)
            {
                var s = 0.0;
                for (var p = 0; p < n; p++) s += f[i * n + p] * f[j * n + p];
                gram[i * c + j] = gram[j * c + i] = s / ((double)c * n);
            }
        }
        return gram;
    }

    /// <summary>A tap's features [C, N] after the objective's smoothing.</summary>
    public double[] Smoothed(string tap, double[] a, int c, int n)
    {
        var s = objective.Smoothing;
        if (s is null || !s.AppliesTo(tap)) return a;
        if (s.Mode == StyleSmoothingMode.Scale) return a.Select(v => v * s.Factor).ToArray();
        var result = new double[a.Length];
        for (var p = 0; p < n; p++)
        {
            var max = double.NegativeInfinity;
            for (var i = 0; i < c; i++) max = Math.Max(max, a[i * n + p] / s.Temperature);
            var sum = 0.0;
            for (var i = 0; i < c; i++) sum += result[i * n + p] = Math.Exp(a[i * n + p] / s.Temperature - max);
            for (var i = 0; i < c; i++) result[i * n + p] /= sum;
        }
        return result;
    }

    public (double Style, double Content, double Tv) Parts(double[] image)
    {
        var features = Features(image);
        double style = 0, content = 0;
        foreach (var tap in objective.StyleTaps)
        {
            var g = Gram(tap, features[tap]);
            var t = StyleTargets[tap];
            style += StyleWeights[tap] * g.Zip(t, (a, b) => (a - b) * (a - b)).Sum() / g.Length;
        }
        foreach (var tap in objective.ContentTaps)
        {
            var a = features[tap].Data;
            var p = ContentTargets[tap].Data;
            content += ContentWeights[tap] * a.Zip(p, (x, y) => (x - y) * (x - y)).Sum() / a.Length;
        }
        return (style, content, TvWeight * TotalVariation(image));
    }

    public double Loss(double[] image)
    {
        var (s, c, t) = Parts(image);
        return s + c + t;
    }

    /// <summary><c>(sum dh^2 + sum dw^2) / (3 H W)</c>.</summary>
    public double TotalVariation(double[] x)
    {
        var sum = 0.0;
        for (var ch = 0; ch < 3; ch++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var xx = 0; xx < w; xx++)
                {
                    var v = x[(ch * h + y) * w + xx];
                    if (y + 1 < h) sum += Math.Pow(x[(ch * h + y + 1) * w + xx] - v, 2);
                    if (xx + 1 < w) sum += Math.Pow(x[(ch * h + y) * w + xx + 1] - v, 2);
                }
            }
        }
        return sum / (3.0 * h * w);
    }

    /// <summary>
    /// Targets from two other random images, and weights that make every style tap, the content
    /// and the total variation contribute equally at <paramref name="image"/> (so a wrong gradient
    /// in any one term shows, instead of hiding under a larger one).
    /// </summary>
    public void Prepare(double[] image, int seed)
    {
        var styleImage = TestImages.Random(h, w, seed + 1).Float64;
        var contentImage = TestImages.Random(h, w, seed + 2).Float64;
        var styleFeatures = Features(styleImage);
        var contentFeatures = Features(contentImage);
        foreach (var tap in objective.StyleTaps) StyleTargets[tap] = Gram(tap, styleFeatures[tap]);
        foreach (var tap in objective.ContentTaps) ContentTargets[tap] = contentFeatures[tap];
        // Each term alone with weight 1, then its weight set to make it 1 at the image.
        foreach (var tap in objective.StyleTaps) StyleWeights[tap] = 0;
        foreach (var tap in objective.ContentTaps) ContentWeights[tap] = 0;
        var styleWeights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var tap in objective.StyleTaps)
        {
            StyleWeights[tap] = 1;
            styleWeights[tap] = 1 / Parts(image).Style;
            StyleWeights[tap] = 0;
        }
        var contentWeights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var tap in objective.ContentTaps)
        {
            ContentWeights[tap] = 1;
            contentWeights[tap] = 1 / Parts(image).Content;
            ContentWeights[tap] = 0;
        }
        foreach (var (tap, weight) in styleWeights) StyleWeights[tap] = weight;
        foreach (var (tap, weight) in contentWeights) ContentWeights[tap] = weight;
        TvWeight = 1 / TotalVariation(image);
    }

    /// <summary>The compiled graph's inputs besides the image (targets and weights as float32).</summary>
    public Dictionary<string, OrtTensor> Inputs()
    {
        var inputs = new Dictionary<string, OrtTensor>(StringComparer.Ordinal);
        foreach (var tap in objective.StyleTaps)
        {
            var t = StyleTargets[tap];
            var c = (long)Math.Round(Math.Sqrt(t.Length));
            inputs[StyleGraphNames.StyleTarget(tap)] = new OrtTensor(t.Select(v => (float)v).ToArray(), [c, c]);
            inputs[StyleGraphNames.StyleWeight(tap)] = new OrtTensor([(float)StyleWeights[tap]], []);
        }
        foreach (var tap in objective.ContentTaps)
        {
            var p = ContentTargets[tap];
            inputs[StyleGraphNames.ContentTarget(tap)] = new OrtTensor(p.ToFloats(), p.Shape.Select(d => (long)d).ToArray());
            inputs[StyleGraphNames.ContentWeight(tap)] = new OrtTensor([(float)ContentWeights[tap]], []);
        }
        inputs[StyleGraphNames.TvWeight] = new OrtTensor([(float)TvWeight], []);
        return inputs;
    }
}

/// <summary>The style-objective check: compiled loss parts against float64, gradient against float64 finite differences.</summary>
internal static class StyleCheck
{
    /// <summary>float32 Gram losses of differences: a little looser than the dream's loss bound.</summary>
    public const double LossTolerance = 1e-3;

    public static void Run(ITestOutputHelper output, CompiledModel compiled, StyleReference reference, int h, int w, int seed,
        int randomDirections, int randomPixels, double gradientTolerance)
    {
        var (image32, image64) = TestImages.Random(h, w, seed);
        reference.Prepare(image64, seed);
        var inputs = reference.Inputs();
        inputs[GraphNames.Image] = TestImages.Tensor(image32, h, w);
        var result = compiled.Runner.Run(inputs, [GraphNames.Loss, GraphNames.Grad, StyleGraphNames.StyleLoss, StyleGraphNames.ContentLoss, StyleGraphNames.TvLoss]);
        var expected = reference.Parts(image64);
        (string Name, double Ort, double Reference)[] parts =
        [
            ("style", result[StyleGraphNames.StyleLoss].Data[0], expected.Style),
            ("content", result[StyleGraphNames.ContentLoss].Data[0], expected.Content),
            ("tv", result[StyleGraphNames.TvLoss].Data[0], expected.Tv),
            ("loss", result[GraphNames.Loss].Data[0], expected.Style + expected.Content + expected.Tv),
        ];
        foreach (var (name, ort, reference64) in parts)
        {
            var error = Math.Abs(ort - reference64) / Math.Abs(reference64);
            output.WriteLine($"{name}: ORT {ort:E7} float64 {reference64:E7} (rel {error:E2})");
            Assert.True(error <= LossTolerance, $"{name} loss {ort:E7} vs float64 {reference64:E7} (relative error {error:E2}).");
        }
        var grad = result[GraphNames.Grad].Data;
        Assert.All(grad, v => Assert.True(float.IsFinite(v), "The gradient has a non-finite entry."));
        var report = FiniteDifferences.Check($"style {h}x{w}", reference.Loss, image64, grad, h, w, seed + 3, randomDirections, randomPixels, DreamCheck.Step);
        output.WriteLine(report.ToString());
        Assert.True(report.MaxRelativeError <= gradientTolerance, $"Gradient mismatch, worst: {report.Worst}\n{report}");
    }
}
