using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Style;

/// <summary>Targets from the whole-image targets graph (<see cref="StyleTargetsObjective"/>).</summary>
internal sealed class WholeImageTargetSource(OnnxSession session) : IStyleTargetSource
{
    private readonly FeatureExtractor _extractor = new(session);

    public IReadOnlyDictionary<string, float[]> Grams(ImageTensor image, CancellationToken cancellationToken) =>
        _extractor.Run(image, cancellationToken)
            .Where(m => m.Name.StartsWith(StyleGraphNames.StyleTarget(""), StringComparison.Ordinal))
            .ToDictionary(m => m.Name[StyleGraphNames.StyleTarget("").Length..], m => m.Data, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, FeatureMap> ContentFeatures(ImageTensor image, CancellationToken cancellationToken) =>
        _extractor.Run(image, cancellationToken)
            .Where(m => m.Name.StartsWith(StyleGraphNames.ContentTarget(""), StringComparison.Ordinal))
            .ToDictionary(m => m.Name[StyleGraphNames.ContentTarget("").Length..], m => m, StringComparer.Ordinal);
}

/// <summary>
/// The compiled <see cref="StyleObjective"/> on the whole image: one run gives the loss and the
/// gradient, through the engine's <see cref="GradientRunner"/> (buffers bound once, no allocation
/// per evaluation). Targets and weights are bound once as extra inputs.
/// </summary>
internal sealed class WholeImageStyleObjective : IStyleObjective
{
    private readonly GradientRunner _runner;
    private readonly Dictionary<string, (float[] Values, long[] Shape)> _inputs = new(StringComparer.Ordinal);
    // Retained: the model's lease keeps the runner's session alive while this objective exists.
    private readonly StyleModel _model;
    private int _disposed;

    public WholeImageStyleObjective(StyleModel model, StyleTargets targets, int height, int width)
    {
        Height = height;
        Width = width;
        _runner = new GradientRunner(model.ObjectiveSession(), maxCachedSizes: 1);
        _model = model.Retain();
        foreach (var tap in model.StyleTaps)
        {
            if (targets.Regions is { } regions)
            {
                // Guided Grams: the K style images' Grams, the masks at the tap, a weight per region.
                var k = regions.Count;
                var grams = regions.Targets[tap.Tap];
                var channels = (long)Math.Round(Math.Sqrt(grams.Length / k));
                var (mh, mw) = regions.MaskSizes[tap.Tap];
                Set(StyleGraphNames.StyleTarget(tap.Tap), grams, [k, channels, channels]);
                Set(StyleGraphNames.StyleWeight(tap.Tap), regions.RegionWeights.Select(r => (float)(r * model.StyleWeight(tap))).ToArray(), [k]);
                Set(StyleGraphNames.StyleMask(tap.Tap), regions.Masks[tap.Tap], [k, 1, mh, mw]);
                continue;
            }
            var gram = targets.Grams[tap.Tap];
            var c = (long)Math.Round(Math.Sqrt(gram.Length));
            Set(StyleGraphNames.StyleTarget(tap.Tap), gram, [c, c]);
            Set(StyleGraphNames.StyleWeight(tap.Tap), [model.StyleWeight(tap)], []);
        }
        foreach (var tap in model.ContentTaps)
        {
            var features = targets.Content[tap.Tap];
            Set(StyleGraphNames.ContentTarget(tap.Tap), features.Data, features.Shape);
            Set(StyleGraphNames.ContentWeight(tap.Tap), [model.ContentWeight(tap)], []);
        }
        Set(StyleGraphNames.TvWeight, [model.TvWeight], []);
    }

    public int Height { get; }

    public int Width { get; }

    private void Set(string name, float[] values, long[] shape)
    {
        _inputs[name] = (values, shape);
        _runner.SetExtraInput(name, values, shape);
    }

    public double Evaluate(ReadOnlySpan<float> image, Span<float> gradient, CancellationToken cancellationToken)
    {
        var buffers = _runner.Buffers(Height, Width);
        image.CopyTo(buffers.Input);
        var loss = _runner.Run(buffers, cancellationToken);
        buffers.Grad.CopyTo(gradient);
        return loss;
    }

    public StyleLossParts Measure(ReadOnlySpan<float> image, CancellationToken cancellationToken)
    {
        var session = _runner.Session.Session;
        var values = new List<OrtValue>();
        try
        {
            var names = new List<string> { GraphNames.Image };
            values.Add(AlignedValues.Copy(image, [1, ImageTensor.Channels, Height, Width]));
            foreach (var (name, (data, shape)) in _inputs)
            {
                names.Add(name);
                values.Add(AlignedValues.Copy(data, shape));
            }
            using var runOptions = new RunOptions();
            string[] outputs = [StyleGraphNames.StyleLoss, StyleGraphNames.ContentLoss, StyleGraphNames.TvLoss];
            using var results = session.Run(runOptions, names, values, outputs);
            return new StyleLossParts(
                results[0].GetTensorDataAsSpan<float>()[0],
                results[1].GetTensorDataAsSpan<float>()[0],
                results[2].GetTensorDataAsSpan<float>()[0]);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _runner.Dispose();
        _model.Dispose();
    }
}
