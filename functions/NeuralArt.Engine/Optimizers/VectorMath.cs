using System.Numerics;
using System.Runtime.InteropServices;

namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// The vector operations the optimizers need, SIMD-wide. Dot products accumulate in float lanes
/// over blocks and in double across blocks: image-sized vectors have millions of entries, and a
/// plain float sum would lose the digits the line search compares.
/// </summary>
internal static class VectorMath
{
    /// <summary>Elements summed in float lanes before the block's sum moves to the double total.</summary>
    private const int BlockLength = 4096;

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Vector lengths differ.");
        var total = 0.0;
        for (var start = 0; start < a.Length; start += BlockLength)
        {
            var length = Math.Min(BlockLength, a.Length - start);
            total += DotBlock(a.Slice(start, length), b.Slice(start, length));
        }
        return total;
    }

    private static double DotBlock(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var acc = Vector<float>.Zero;
        for (var i = 0; i < va.Length; i++) acc += va[i] * vb[i];
        double sum = Vector.Sum(acc);
        for (var i = va.Length * Vector<float>.Count; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary><c>y += alpha * x</c>.</summary>
    public static void AddScaled(Span<float> y, ReadOnlySpan<float> x, float alpha)
    {
        if (x.Length != y.Length) throw new ArgumentException("Vector lengths differ.");
        var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var va = new Vector<float>(alpha);
        for (var i = 0; i < vy.Length; i++) vy[i] += va * vx[i];
        for (var i = vy.Length * Vector<float>.Count; i < y.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary><c>result = x + alpha * d</c>.</summary>
    public static void Combine(Span<float> result, ReadOnlySpan<float> x, float alpha, ReadOnlySpan<float> d)
    {
        x.CopyTo(result);
        AddScaled(result, d, alpha);
    }

    /// <summary><c>result = a - b</c>.</summary>
    public static void Subtract(Span<float> result, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        a.CopyTo(result);
        AddScaled(result, b, -1f);
    }

    public static void Scale(Span<float> y, float alpha)
    {
        var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
        var va = new Vector<float>(alpha);
        for (var i = 0; i < vy.Length; i++) vy[i] *= va;
        for (var i = vy.Length * Vector<float>.Count; i < y.Length; i++) y[i] *= alpha;
    }

    /// <summary>Largest absolute value (the infinity norm).</summary>
    public static float MaxAbs(ReadOnlySpan<float> x)
    {
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var acc = Vector<float>.Zero;
        for (var i = 0; i < vx.Length; i++) acc = Vector.Max(acc, Vector.Abs(vx[i]));
        var max = 0f;
        for (var lane = 0; lane < Vector<float>.Count; lane++) max = MathF.Max(max, acc[lane]);
        for (var i = vx.Length * Vector<float>.Count; i < x.Length; i++) max = MathF.Max(max, MathF.Abs(x[i]));
        return max;
    }

    /// <summary>Sum of absolute values (the 1-norm), accumulated in double.</summary>
    public static double SumAbs(ReadOnlySpan<float> x)
    {
        var total = 0.0;
        for (var start = 0; start < x.Length; start += BlockLength)
        {
            var block = x.Slice(start, Math.Min(BlockLength, x.Length - start));
            var vx = MemoryMarshal.Cast<float, Vector<float>>(block);
            var acc = Vector<float>.Zero;
            for (var i = 0; i < vx.Length; i++) acc += Vector.Abs(vx[i]);
            double sum = Vector.Sum(acc);
            for (var i = vx.Length * Vector<float>.Count; i < block.Length; i++) sum += MathF.Abs(block[i]);
            total += sum;
        }
        return total;
    }

    /// <summary>True when every entry is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        foreach (var v in x)
        {
            if (!float.IsFinite(v)) return false;
        }
        return true;
    }
}
