using Onnx;

namespace NeuralArt.Graphs.Tests.Reference.Ops;

/// <summary>Naive float64 MaxPool, AveragePool (both count_include_pad modes) and GlobalAveragePool.</summary>
internal static class Pooling
{
    public static RefTensor MaxPool(NodeProto node, RefTensor x, bool symmetricPads) =>
        Pool(node, x, symmetricPads, max: true);

    public static RefTensor AveragePool(NodeProto node, RefTensor x, bool symmetricPads) =>
        Pool(node, x, symmetricPads, max: false);

    public static RefTensor GlobalAveragePool(RefTensor x)
    {
        var (n, c, h, w) = x.Nchw("GlobalAveragePool input");
        var y = new RefTensor([n, c, 1, 1]);
        for (var p = 0; p < n * c; p++)
        {
            var s = 0.0;
            for (var i = 0; i < h * w; i++) s += x.Data[p * h * w + i];
            y.Data[p] = s / (h * w);
        }
        return y;
    }

    private static RefTensor Pool(NodeProto node, RefTensor x, bool symmetricPads, bool max)
    {
        var (n, c, h, w) = x.Nchw($"{node.OpType} input");
        var kernel = OnnxReading.Ints(node, "kernel_shape")
            ?? throw new InvalidOperationException($"{node.OpType} '{node.Name}' has no kernel_shape.");
        var win = SpatialWindow.Read(node, kernel, [h, w], symmetricPads);
        var countIncludePad = OnnxReading.Int(node, "count_include_pad", 0) != 0;
        var ho = win.OutputSize(0, h);
        var wo = win.OutputSize(1, w);
        var y = new RefTensor([n, c, ho, wo]);
        for (var p = 0; p < n * c; p++)
        {
            var inPlane = p * h * w;
            for (var oh = 0; oh < ho; oh++)
            {
                for (var ow = 0; ow < wo; ow++)
                {
                    var best = double.NegativeInfinity;
                    var sum = 0.0;
                    var valid = 0;
                    var padded = 0;
                    for (var ki = 0; ki < kernel[0]; ki++)
                    {
                        var ih = oh * win.Strides[0] - win.PadBegin[0] + ki * win.Dilations[0];
                        var rowInPadded = ih < h + win.PadEnd[0];
                        for (var kj = 0; kj < kernel[1]; kj++)
                        {
                            var iw = ow * win.Strides[1] - win.PadBegin[1] + kj * win.Dilations[1];
                            // Elements in the padded region (pads included, not beyond) count for
                            // count_include_pad; ceil-mode windows may reach past it.
                            if (rowInPadded && iw < w + win.PadEnd[1]) padded++;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            var v = x.Data[inPlane + ih * w + iw];
                            best = Math.Max(best, v);
                            sum += v;
                            valid++;
                        }
                    }
                    y.Data[(p * ho + oh) * wo + ow] = max ? best : sum / (countIncludePad ? padded : valid);
                }
            }
        }
        return y;
    }
}
