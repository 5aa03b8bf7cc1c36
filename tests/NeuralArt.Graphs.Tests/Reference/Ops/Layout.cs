namespace NeuralArt.Graphs.Tests.Reference.Ops;

/// <summary>Concat and constant Pad on 4-D tensors in float64.</summary>
internal static class Layout
{
    public static RefTensor Concat(IReadOnlyList<RefTensor> inputs, int axis)
    {
        var rank = inputs[0].Rank;
        if (axis < 0) axis += rank;
        var shape = (int[])inputs[0].Shape.Clone();
        shape[axis] = inputs.Sum(t => t.Shape[axis]);
        var outer = 1;
        for (var d = 0; d < axis; d++) outer *= shape[d];
        var y = new RefTensor(shape);
        var offset = 0;
        var outBlock = y.Count / outer;
        foreach (var t in inputs)
        {
            var block = t.Count / outer;
            for (var o = 0; o < outer; o++)
            {
                Array.Copy(t.Data, o * block, y.Data, o * outBlock + offset, block);
            }
            offset += block;
        }
        return y;
    }

    /// <summary>Constant pad; <paramref name="pads"/> is ONNX's [x1_begin, x2_begin, ..., x1_end, x2_end, ...].</summary>
    public static RefTensor PadConstant(RefTensor x, int[] pads, double value)
    {
        var (n, c, h, w) = x.Nchw("Pad input");
        if (pads.Length != 8) throw new NotSupportedException("Pad: the reference supports 4-D pads only.");
        if (pads.Any(p => p < 0)) throw new NotSupportedException("Pad: negative pads.");
        int[] shape = [n + pads[0] + pads[4], c + pads[1] + pads[5], h + pads[2] + pads[6], w + pads[3] + pads[7]];
        var y = RefTensor.Filled(shape, value);
        for (var b = 0; b < n; b++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                for (var i = 0; i < h; i++)
                {
                    Array.Copy(
                        x.Data, ((b * c + ch) * h + i) * w,
                        y.Data, (((b + pads[0]) * shape[1] + ch + pads[1]) * shape[2] + i + pads[2]) * shape[3] + pads[3],
                        w);
                }
            }
        }
        return y;
    }
}
