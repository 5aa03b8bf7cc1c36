namespace NeuralArt.Graphs.Tests.Import;

/// <summary>A float64 NHWC tensor (batch 1): the Keras layout, for the importer's independent reference.</summary>
internal sealed record Nhwc(int H, int W, int C, double[] Data)
{
    public static Nhwc Zeros(int h, int w, int c) => new(h, w, c, new double[h * w * c]);

    public double this[int y, int x, int c]
    {
        get => Data[(y * W + x) * C + c];
        set => Data[(y * W + x) * C + c] = value;
    }

    /// <summary>The same values in NCHW order, as the imported ONNX graph holds them.</summary>
    public double[] ToNchw()
    {
        var result = new double[Data.Length];
        for (var c = 0; c < C; c++)
        for (var y = 0; y < H; y++)
        for (var x = 0; x < W; x++) result[(c * H + y) * W + x] = this[y, x, c];
        return result;
    }
}

/// <summary>
/// Keras layer semantics written directly from TensorFlow's definitions, in NHWC with naive loops:
/// "same" pads <c>max((ceil(n / s) - 1) * s + k - n, 0)</c> in total, the odd pixel at the end; average
/// pools divide by the real pixels of each window. Independent of the importer's NCHW rewriting.
/// </summary>
internal static class KerasReference
{
    public static (int Out, int PadBegin) Same(int n, int k, int s)
    {
        var output = (n + s - 1) / s;
        var total = Math.Max((output - 1) * s + k - n, 0);
        return (output, total / 2);
    }

    public static (int Out, int PadBegin) Window(string padding, int n, int k, int s) =>
        padding == "same" ? Same(n, k, s) : ((n - k) / s + 1, 0);

    /// <summary>Conv2D with kernel [kh, kw, cin, cout].</summary>
    public static Nhwc Conv(Nhwc x, double[] kernel, int kh, int kw, int cout, double[]? bias, int stride, string padding)
    {
        var (oh, ph) = Window(padding, x.H, kh, stride);
        var (ow, pw) = Window(padding, x.W, kw, stride);
        var y = Nhwc.Zeros(oh, ow, cout);
        for (var oy = 0; oy < oh; oy++)
        for (var ox = 0; ox < ow; ox++)
        for (var co = 0; co < cout; co++)
        {
            var sum = bias?[co] ?? 0;
            for (var ky = 0; ky < kh; ky++)
            for (var kx = 0; kx < kw; kx++)
            {
                int iy = oy * stride + ky - ph, ix = ox * stride + kx - pw;
                if (iy < 0 || iy >= x.H || ix < 0 || ix >= x.W) continue;
                for (var ci = 0; ci < x.C; ci++) sum += x[iy, ix, ci] * kernel[((ky * kw + kx) * x.C + ci) * cout + co];
            }
            y[oy, ox, co] = sum;
        }
        return y;
    }

    /// <summary>DepthwiseConv2D with kernel [kh, kw, cin, multiplier]: output channel <c>c * m + j</c>.</summary>
    public static Nhwc Depthwise(Nhwc x, double[] kernel, int kh, int kw, int multiplier, double[]? bias, int stride, string padding)
    {
        var (oh, ph) = Window(padding, x.H, kh, stride);
        var (ow, pw) = Window(padding, x.W, kw, stride);
        var y = Nhwc.Zeros(oh, ow, x.C * multiplier);
        for (var oy = 0; oy < oh; oy++)
        for (var ox = 0; ox < ow; ox++)
        for (var c = 0; c < x.C; c++)
        for (var j = 0; j < multiplier; j++)
        {
            var sum = bias?[c * multiplier + j] ?? 0;
            for (var ky = 0; ky < kh; ky++)
            for (var kx = 0; kx < kw; kx++)
            {
                int iy = oy * stride + ky - ph, ix = ox * stride + kx - pw;
                if (iy < 0 || iy >= x.H || ix < 0 || ix >= x.W) continue;
                sum += x[iy, ix, c] * kernel[((ky * kw + kx) * x.C + c) * multiplier + j];
            }
            y[oy, ox, c * multiplier + j] = sum;
        }
        return y;
    }

    public static Nhwc Pool(Nhwc x, int k, int stride, string padding, bool max)
    {
        var (oh, ph) = Window(padding, x.H, k, stride);
        var (ow, pw) = Window(padding, x.W, k, stride);
        var y = Nhwc.Zeros(oh, ow, x.C);
        for (var oy = 0; oy < oh; oy++)
        for (var ox = 0; ox < ow; ox++)
        for (var c = 0; c < x.C; c++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            var count = 0;
            for (var ky = 0; ky < k; ky++)
            for (var kx = 0; kx < k; kx++)
            {
                int iy = oy * stride + ky - ph, ix = ox * stride + kx - pw;
                if (iy < 0 || iy >= x.H || ix < 0 || ix >= x.W) continue;
                acc = max ? Math.Max(acc, x[iy, ix, c]) : acc + x[iy, ix, c];
                count++;
            }
            y[oy, ox, c] = max ? acc : acc / count;
        }
        return y;
    }

    public static Nhwc Map(Nhwc x, Func<double, int, double> f)
    {
        var y = Nhwc.Zeros(x.H, x.W, x.C);
        for (var i = 0; i < x.Data.Length; i++) y.Data[i] = f(x.Data[i], i % x.C);
        return y;
    }

    public static Nhwc Add(Nhwc a, Nhwc b) => new(a.H, a.W, a.C, a.Data.Zip(b.Data, (p, q) => p + q).ToArray());

    public static Nhwc Concat(Nhwc a, Nhwc b)
    {
        var y = Nhwc.Zeros(a.H, a.W, a.C + b.C);
        for (var yy = 0; yy < a.H; yy++)
        for (var xx = 0; xx < a.W; xx++)
        {
            for (var c = 0; c < a.C; c++) y[yy, xx, c] = a[yy, xx, c];
            for (var c = 0; c < b.C; c++) y[yy, xx, a.C + c] = b[yy, xx, c];
        }
        return y;
    }

    /// <summary>ZeroPadding2D ((top, bottom), (left, right)).</summary>
    public static Nhwc ZeroPad(Nhwc x, int top, int bottom, int left, int right)
    {
        var y = Nhwc.Zeros(x.H + top + bottom, x.W + left + right, x.C);
        for (var yy = 0; yy < x.H; yy++)
        for (var xx = 0; xx < x.W; xx++)
        for (var c = 0; c < x.C; c++) y[yy + top, xx + left, c] = x[yy, xx, c];
        return y;
    }

    /// <summary>Dense on a vector with kernel [in, out].</summary>
    public static double[] Dense(double[] v, double[] kernel, double[] bias)
    {
        var outputs = bias.Length;
        var y = (double[])bias.Clone();
        for (var i = 0; i < v.Length; i++)
        for (var o = 0; o < outputs; o++) y[o] += v[i] * kernel[i * outputs + o];
        return y;
    }

    public static double[] Softmax(double[] v)
    {
        var max = v.Max();
        var e = v.Select(x => Math.Exp(x - max)).ToArray();
        var sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }
}
