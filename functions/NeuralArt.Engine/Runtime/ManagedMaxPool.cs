using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// A 2-D max-pool with its arg-max and the pool's backward (scatter-add of the output gradient to the
/// arg-maxes), multi-threaded over channels, for the pool-split gradient graphs on the CPU, where
/// ONNX Runtime runs <c>MaxPool</c> with indices and <c>ScatterElements</c> on one thread.
/// <para>
/// Exactly ONNX Runtime's results: a window's maximum is the first strictly greater value in
/// row-major window order starting from <see cref="float.MinValue"/> (so ties go to the first,
/// NaN never wins and padding is never read), and the backward adds each channel's output
/// gradients in row-major output order starting from zero, which is the order
/// <c>ScatterElements(reduction=add)</c> uses, so every sum is rounded the same way. The one
/// difference: where no value of a window exceeds <see cref="float.MinValue"/> (all NaN or
/// -infinity) ONNX Runtime records index -1; here the window's first pixel is recorded.
/// </para>
/// <para>
/// The forward is separable: each input row's horizontal window maxima (value and first column)
/// are computed once and kept for the output rows whose windows share that row; the first maximum
/// over the rows, compared in row order, is then the first maximum in row-major order. Both passes
/// use 256-bit vectors where available (horizontal only for 3-wide stride-2 windows, ResNet's stem).
/// </para>
/// </summary>
internal static unsafe class ManagedMaxPool
{
    // The loops are compiled fully optimized at their first call (AggressiveOptimization): a dream's
    // first steps otherwise ran them as unoptimized code (79 and 107 ms in the first two calls at
    // 1024x809, 5 ms after).

    private const int Lanes = 8;

    /// <summary>The window the horizontal vector path handles: 3 wide, stride 2 (ResNet's stem pool).</summary>
    private const int VectorKernel = 3;
    private const int VectorStride = 2;

    /// <summary>
    /// The last value a vector step reads, counted from its first window's start: two vectors of
    /// <see cref="Lanes"/> from there and two from <see cref="VectorStride"/> further on.
    /// </summary>
    private const int VectorReach = VectorStride + 2 * Lanes - 1;

    /// <summary>Pools <paramref name="x"/> [C,H,W] into <paramref name="y"/> [C,h,w] and records each output's arg-max (flat index within its channel).</summary>
    public static void Forward(ReadOnlySpan<float> x, int channels, int height, int width, MaxPoolGeometry pool,
        Span<float> y, Span<int> argmax, int threads)
    {
        var (oh, ow) = pool.OutputSize(height, width);
        CheckLengths(x.Length, y.Length, argmax.Length, channels, height, width, oh, ow);
        fixed (float* px = x)
        fixed (float* py = y)
        fixed (int* pi = argmax)
        {
            Forward(px, channels, height, width, pool, py, pi, threads);
        }
    }

    /// <summary>Writes <paramref name="dx"/> [C,H,W]: zero, plus each output's gradient at its arg-max.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, int channels, int height, int width, MaxPoolGeometry pool,
        Span<float> dx, int threads)
    {
        var (oh, ow) = pool.OutputSize(height, width);
        CheckLengths(dx.Length, dy.Length, argmax.Length, channels, height, width, oh, ow);
        fixed (float* pdy = dy)
        fixed (int* pi = argmax)
        fixed (float* pdx = dx)
        {
            Backward(pdy, pi, channels, height, width, pool, pdx, threads);
        }
    }

    public static void Forward(float* x, int channels, int height, int width, MaxPoolGeometry pool, float* y, int* argmax, int threads)
    {
        var (oh, ow) = pool.OutputSize(height, width);
        nint xp = (nint)x, yp = (nint)y, ip = (nint)argmax;
        Parallel.For(0, channels, Options(threads), () => new RowCache(pool.KernelH, ow), (c, _, cache) =>
        {
            cache.Reset();
            var inPlane = (long)height * width * c;
            var outPlane = (long)oh * ow * c;
            ForwardChannel((float*)xp + inPlane, height, width, pool, oh, ow, (float*)yp + outPlane, (int*)ip + outPlane, cache);
            return cache;
        }, static _ => { });
    }

    public static void Backward(float* dy, int* argmax, int channels, int height, int width, MaxPoolGeometry pool, float* dx, int threads)
    {
        var (oh, ow) = pool.OutputSize(height, width);
        nint dyp = (nint)dy, ip = (nint)argmax, dxp = (nint)dx;
        Parallel.For(0, channels, Options(threads), c =>
        {
            var plane = (long)height * width;
            var outputs = (long)oh * ow;
            BackwardChannel((float*)dyp + outputs * c, (int*)ip + outputs * c, outputs, (float*)dxp + plane * c, plane);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardChannel(float* dyc, int* ic, long outputs, float* dxc, long plane)
    {
        new Span<float>(dxc, checked((int)plane)).Clear();
        // Row-major output order, as ScatterElements adds: the same rounding of every sum.
        for (long i = 0; i < outputs; i++) dxc[ic[i]] += dyc[i];
    }

    private static ParallelOptions Options(int threads) => new() { MaxDegreeOfParallelism = Math.Max(1, threads) };

    private static void CheckLengths(int input, int output, int indices, int channels, int height, int width, int oh, int ow)
    {
        if (input != (long)channels * height * width) throw new ArgumentException($"The input holds {input} values, not {channels}x{height}x{width}.");
        if (output != (long)channels * oh * ow || indices != output)
        {
            throw new ArgumentException($"The pooled output and arg-max must hold {channels}x{oh}x{ow} values (have {output} and {indices}).");
        }
    }

    /// <summary>Horizontal window maxima of the last <c>kernel height</c> input rows of one channel (a ring keyed by row).</summary>
    private sealed class RowCache
    {
        public RowCache(int rows, int outputWidth)
        {
            Values = new float[rows][];
            Columns = new int[rows][];
            Row = new int[rows];
            for (var i = 0; i < rows; i++)
            {
                Values[i] = new float[outputWidth];
                Columns[i] = new int[outputWidth];
            }
        }

        public float[][] Values { get; }
        public int[][] Columns { get; }
        public int[] Row { get; }

        public void Reset() => Array.Fill(Row, -1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardChannel(float* x, int height, int width, MaxPoolGeometry pool, int oh, int ow, float* y, int* argmax, RowCache cache)
    {
        var kh = pool.KernelH;
        Span<int> slots = stackalloc int[kh];
        for (var ph = 0; ph < oh; ph++)
        {
            var hs = ph * pool.StrideH - pool.PadTop;
            var first = Math.Max(hs, 0);
            var end = Math.Min(hs + kh, height);
            var rows = 0;
            for (var r = first; r < end; r++)
            {
                var slot = r % kh;
                if (cache.Row[slot] != r)
                {
                    fixed (float* v = cache.Values[slot])
                    fixed (int* col = cache.Columns[slot])
                    {
                        Horizontal(x + (long)r * width, width, pool, ow, v, col);
                    }
                    cache.Row[slot] = r;
                }
                slots[rows++] = slot;
            }
            Vertical(cache, slots[..rows], first, width, ow, y + (long)ph * ow, argmax + (long)ph * ow);
        }
    }

    /// <summary>Each output column's window maximum within one input row, and its first column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Horizontal(float* row, int width, MaxPoolGeometry pool, int ow, float* values, int* columns)
    {
        int kw = pool.KernelW, sw = pool.StrideW, pad = pool.PadLeft;
        var pw = 0;
        if (kw == VectorKernel && sw == VectorStride && Avx2.IsSupported)
        {
            // Scalar up to the first window without left padding, then 8 windows at a time while
            // the two 16-wide loads (from ws and ws+2) stay inside the row.
            for (; pw < ow && pw * sw - pad < 0; pw++) HorizontalScalar(row, width, kw, sw, pad, pw, values, columns);
            var step = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
            var lowest = Vector256.Create(float.MinValue);
            for (; pw + Lanes <= ow && pw * sw - pad + VectorReach < width; pw += Lanes)
            {
                var ws = pw * sw - pad;
                var p = row + ws;
                var a0 = Avx.LoadVector256(p);
                var a1 = Avx.LoadVector256(p + Lanes);
                var b0 = Avx.LoadVector256(p + VectorStride);
                var b1 = Avx.LoadVector256(p + VectorStride + Lanes);
                var left = Evens(a0, a1);
                var middle = Odds(a0, a1);
                var right = Evens(b0, b1);
                var col = Vector256.Create(ws) + step;
                var gt = Vector256.GreaterThan(left, lowest);
                var m = Vector256.ConditionalSelect(gt, left, lowest);
                gt = Vector256.GreaterThan(middle, m);
                m = Vector256.ConditionalSelect(gt, middle, m);
                var c = Vector256.ConditionalSelect(gt.AsInt32(), col + Vector256<int>.One, col);
                gt = Vector256.GreaterThan(right, m);
                m = Vector256.ConditionalSelect(gt, right, m);
                c = Vector256.ConditionalSelect(gt.AsInt32(), col + Vector256.Create(VectorKernel - 1), c);
                m.Store(values + pw);
                c.Store(columns + pw);
            }
        }
        for (; pw < ow; pw++) HorizontalScalar(row, width, kw, sw, pad, pw, values, columns);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HorizontalScalar(float* row, int width, int kw, int sw, int pad, int pw, float* values, int* columns)
    {
        var ws = pw * sw - pad;
        var first = Math.Max(ws, 0);
        var end = Math.Min(ws + kw, width);
        var best = float.MinValue;
        var column = first;
        for (var w = first; w < end; w++)
        {
            if (row[w] > best)
            {
                best = row[w];
                column = w;
            }
        }
        values[pw] = best;
        columns[pw] = column;
    }

    /// <summary>x[2k] of the 16 values a0, a1 (AVX shuffles work within 128-bit halves; the permute joins them).</summary>
    private static Vector256<float> Evens(Vector256<float> a0, Vector256<float> a1) =>
        Avx2.Permute4x64(Avx.Shuffle(a0, a1, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>x[2k+1] of the 16 values a0, a1.</summary>
    private static Vector256<float> Odds(Vector256<float> a0, Vector256<float> a1) =>
        Avx2.Permute4x64(Avx.Shuffle(a0, a1, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>The first maximum over the window's rows (in row order) of their horizontal maxima.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Vertical(RowCache cache, ReadOnlySpan<int> slots, int firstRow, int width, int ow, float* y, int* argmax)
    {
        var pw = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var lowest = Vector256.Create(float.MinValue);
            var fallbackOffset = Vector256.Create(firstRow * width);
            for (; pw + Lanes <= ow; pw += Lanes)
            {
                var m = lowest;
                var index = fallbackOffset + Vector256.Create(cache.Columns[slots[0]].AsSpan(pw, Lanes));
                for (var i = 0; i < slots.Length; i++)
                {
                    var v = Vector256.Create(cache.Values[slots[i]].AsSpan(pw, Lanes));
                    var gt = Vector256.GreaterThan(v, m);
                    m = Vector256.ConditionalSelect(gt, v, m);
                    var candidate = Vector256.Create((firstRow + i) * width) + Vector256.Create(cache.Columns[slots[i]].AsSpan(pw, Lanes));
                    index = Vector256.ConditionalSelect(gt.AsInt32(), candidate, index);
                }
                m.Store(y + pw);
                index.Store(argmax + pw);
            }
        }
        for (; pw < ow; pw++)
        {
            var best = float.MinValue;
            var index = firstRow * width + cache.Columns[slots[0]][pw];
            for (var i = 0; i < slots.Length; i++)
            {
                var v = cache.Values[slots[i]][pw];
                if (v > best)
                {
                    best = v;
                    index = (firstRow + i) * width + cache.Columns[slots[i]][pw];
                }
            }
            y[pw] = best;
            argmax[pw] = index;
        }
    }
}
