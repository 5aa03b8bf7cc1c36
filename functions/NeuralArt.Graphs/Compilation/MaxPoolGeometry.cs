using System.Globalization;

namespace NeuralArt.Graphs.Compilation;

/// <summary>
/// A 2-D MaxPool's window (ONNX attributes, NCHW, dilation 1): kernel, strides, pads in ONNX order
/// (<c>[top, left, bottom, right]</c>) and ceil mode. Written into the split graph's metadata
/// (<see cref="Format"/>) so the engine can run the pool between the sessions.
/// </summary>
public sealed record MaxPoolGeometry(int KernelH, int KernelW, int StrideH, int StrideW, int PadTop, int PadLeft, int PadBottom, int PadRight, bool CeilMode)
{
    /// <summary>The output size ONNX Runtime gives an input of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (int Height, int Width) OutputSize(int height, int width) =>
        (OutputSide(height, KernelH, StrideH, PadTop, PadBottom), OutputSide(width, KernelW, StrideW, PadLeft, PadRight));

    /// <summary>
    /// ONNX Runtime's <c>PoolAttributes::ComputeOutputSize</c>: floor or ceil of
    /// <c>(in + pads - kernel) / stride + 1</c>; in ceil mode a last window that would start in the
    /// end padding is dropped (PyTorch's rule, which ONNX Runtime follows).
    /// </summary>
    private int OutputSide(int input, int kernel, int stride, int padBegin, int padEnd)
    {
        var span = input + padBegin + padEnd - kernel;
        if (span < 0) return 0;
        if (!CeilMode) return span / stride + 1;
        var size = (span + stride - 1) / stride + 1;
        if ((size - 1) * stride >= input + padBegin) size--;
        return size;
    }

    /// <summary>The metadata form: <c>kernel=3,3;strides=2,2;pads=1,1,1,1;ceil=0</c>.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"kernel={KernelH},{KernelW};strides={StrideH},{StrideW};pads={PadTop},{PadLeft},{PadBottom},{PadRight};ceil={(CeilMode ? 1 : 0)}");

    public static MaxPoolGeometry Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "", StringComparer.Ordinal);
        int[] Ints(string key, int count)
        {
            if (!parts.TryGetValue(key, out var value)) throw new FormatException($"Max-pool geometry '{text}' has no '{key}'.");
            var ints = value.Split(',').Select(v => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
            if (ints.Length != count) throw new FormatException($"Max-pool geometry '{text}': '{key}' needs {count} values.");
            return ints;
        }
        var k = Ints("kernel", 2);
        var s = Ints("strides", 2);
        var p = Ints("pads", 4);
        var ceil = Ints("ceil", 1);
        return new MaxPoolGeometry(k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3], ceil[0] != 0);
    }
}
