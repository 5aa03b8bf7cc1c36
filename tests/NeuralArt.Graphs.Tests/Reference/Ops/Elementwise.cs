namespace NeuralArt.Graphs.Tests.Reference.Ops;

/// <summary>Pointwise activations and NumPy-broadcasting Add, Sum and Mul in float64.</summary>
internal static class Elementwise
{
    public static RefTensor Map(RefTensor x, Func<double, double> f)
    {
        var y = new RefTensor(x.Shape);
        for (var i = 0; i < x.Count; i++) y.Data[i] = f(x.Data[i]);
        return y;
    }

    public static RefTensor Relu(RefTensor x) => Map(x, v => v > 0 ? v : 0);

    public static RefTensor LeakyRelu(RefTensor x, double alpha) => Map(x, v => v >= 0 ? v : alpha * v);

    public static RefTensor Clip(RefTensor x, double min, double max) => Map(x, v => Math.Min(Math.Max(v, min), max));

    /// <summary>Folds <paramref name="op"/> over the inputs with NumPy broadcasting.</summary>
    public static RefTensor Broadcast(IReadOnlyList<RefTensor> inputs, Func<double, double, double> op)
    {
        var acc = inputs[0];
        for (var i = 1; i < inputs.Count; i++) acc = Broadcast2(acc, inputs[i], op);
        return acc;
    }

    private static RefTensor Broadcast2(RefTensor a, RefTensor b, Func<double, double, double> op)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        var sa = Align(a.Shape, rank);
        var sb = Align(b.Shape, rank);
        var shape = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            if (sa[d] != sb[d] && sa[d] != 1 && sb[d] != 1)
            {
                throw new InvalidOperationException(
                    $"Shapes [{string.Join(",", a.Shape)}] and [{string.Join(",", b.Shape)}] do not broadcast.");
            }
            shape[d] = Math.Max(sa[d], sb[d]);
        }
        var y = new RefTensor(shape);
        var stridesA = BroadcastStrides(sa, shape);
        var stridesB = BroadcastStrides(sb, shape);
        var index = new int[rank];
        for (var i = 0; i < y.Count; i++)
        {
            var rest = i;
            var ia = 0;
            var ib = 0;
            for (var d = rank - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
                ia += index[d] * stridesA[d];
                ib += index[d] * stridesB[d];
            }
            y.Data[i] = op(a.Data[ia], b.Data[ib]);
        }
        return y;
    }

    private static int[] Align(int[] shape, int rank)
    {
        var r = Enumerable.Repeat(1, rank).ToArray();
        Array.Copy(shape, 0, r, rank - shape.Length, shape.Length);
        return r;
    }

    /// <summary>Row-major strides of <paramref name="shape"/>, zero along broadcast axes.</summary>
    private static int[] BroadcastStrides(int[] shape, int[] outShape)
    {
        var strides = new int[shape.Length];
        var s = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = shape[d] == 1 && outShape[d] != 1 ? 0 : s;
            s *= shape[d];
        }
        return strides;
    }
}
