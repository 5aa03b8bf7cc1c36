namespace NeuralArt.Graphs.Tests.Reference;

/// <summary>
/// A dense float64 tensor in row-major (NCHW for images) order: the value type of the naive
/// reference evaluator. Integer tensors (pads, shapes) are held as doubles too.
/// </summary>
internal sealed class RefTensor
{
    public RefTensor(int[] shape, double[]? data = null)
    {
        Shape = shape;
        var count = 1;
        foreach (var d in shape) count *= d;
        if (data is not null && data.Length != count)
        {
            throw new ArgumentException($"Data of length {data.Length} does not fit shape [{string.Join(",", shape)}].");
        }
        Data = data ?? new double[count];
    }

    public int[] Shape { get; }

    public double[] Data { get; }

    public int Rank => Shape.Length;

    public int Count => Data.Length;

    public RefTensor Clone() => new((int[])Shape.Clone(), (double[])Data.Clone());

    public static RefTensor Filled(int[] shape, double value)
    {
        var t = new RefTensor(shape);
        Array.Fill(t.Data, value);
        return t;
    }

    public static RefTensor FromFloats(ReadOnlySpan<float> values, int[] shape)
    {
        var data = new double[values.Length];
        for (var i = 0; i < data.Length; i++) data[i] = values[i];
        return new RefTensor(shape, data);
    }

    public float[] ToFloats()
    {
        var result = new float[Data.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (float)Data[i];
        return result;
    }

    /// <summary>Throws unless the tensor is 4-D (N, C, H, W); returns the dimensions.</summary>
    public (int N, int C, int H, int W) Nchw(string what)
    {
        if (Rank != 4)
        {
            throw new NotSupportedException($"{what}: the reference supports 4-D NCHW tensors only, got rank {Rank}.");
        }
        return (Shape[0], Shape[1], Shape[2], Shape[3]);
    }

    public double MaxAbs()
    {
        var m = 0.0;
        foreach (var v in Data) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    public override string ToString() => $"RefTensor[{string.Join(",", Shape)}]";
}
