using Onnx;

namespace NeuralArt.Graphs.Tests.Reference.Ops;

/// <summary>Inference BatchNormalization and cross-channel LRN in float64.</summary>
internal static class Normalization
{
    /// <summary>Default epsilon of BatchNormalization in every opset.</summary>
    private const double DefaultEpsilon = 1e-5f;

    public static RefTensor BatchNormalization(NodeProto node, RefTensor x, RefTensor scale, RefTensor bias, RefTensor mean, RefTensor variance)
    {
        var (n, c, h, w) = x.Nchw("BatchNormalization input");
        if (OnnxReading.Int(node, "spatial", 1) != 1)
        {
            throw new NotSupportedException($"BatchNormalization '{node.Name}': spatial=0.");
        }
        if (OnnxReading.Int(node, "training_mode", 0) != 0)
        {
            throw new NotSupportedException($"BatchNormalization '{node.Name}': training_mode=1.");
        }
        var eps = OnnxReading.Float(node, "epsilon", DefaultEpsilon);
        var y = new RefTensor(x.Shape);
        for (var b = 0; b < n; b++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                var a = scale.Data[ch] / Math.Sqrt(variance.Data[ch] + eps);
                var plane = (b * c + ch) * h * w;
                for (var i = 0; i < h * w; i++)
                {
                    y.Data[plane + i] = a * (x.Data[plane + i] - mean.Data[ch]) + bias.Data[ch];
                }
            }
        }
        return y;
    }

    /// <summary>
    /// LRN: <c>y = x / (bias + alpha / size * sum_{c' in window(c)} x[c']^2)^beta</c>, the window being
    /// <c>[c - floor((size-1)/2), c + ceil((size-1)/2)]</c> clipped to the channels.
    /// </summary>
    public static RefTensor Lrn(NodeProto node, RefTensor x)
    {
        var (n, c, h, w) = x.Nchw("LRN input");
        var size = (int)OnnxReading.Int(node, "size", 0);
        if (size <= 0) throw new InvalidOperationException($"LRN '{node.Name}' has no size.");
        var alpha = OnnxReading.Float(node, "alpha", 1e-4f);
        var beta = OnnxReading.Float(node, "beta", 0.75f);
        var bias = OnnxReading.Float(node, "bias", 1.0f);
        var before = (size - 1) / 2;
        var after = size - 1 - before;
        var y = new RefTensor(x.Shape);
        var hw = h * w;
        for (var b = 0; b < n; b++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                var lo = Math.Max(0, ch - before);
                var hi = Math.Min(c - 1, ch + after);
                for (var i = 0; i < hw; i++)
                {
                    var s = 0.0;
                    for (var k = lo; k <= hi; k++)
                    {
                        var v = x.Data[(b * c + k) * hw + i];
                        s += v * v;
                    }
                    var idx = (b * c + ch) * hw + i;
                    y.Data[idx] = x.Data[idx] / Math.Pow(bias + alpha / size * s, beta);
                }
            }
        }
        return y;
    }
}
