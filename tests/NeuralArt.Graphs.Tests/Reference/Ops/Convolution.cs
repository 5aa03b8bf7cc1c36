using System.Numerics;
using Onnx;

namespace NeuralArt.Graphs.Tests.Reference.Ops;

/// <summary>Naive float64 2-D Conv: groups, strides, dilations, asymmetric pads, optional bias.</summary>
internal static class Convolution
{
    /// <summary>Output positions per work item: a tile of every patch row fits in the L2 cache.</summary>
    private const int PositionTile = 64;

    public static RefTensor Conv(NodeProto node, RefTensor x, RefTensor w, RefTensor? bias, bool symmetricPads)
    {
        var (n, c, h, wd) = x.Nchw("Conv input");
        var (m, cPerGroup, kh, kw) = w.Nchw("Conv weight");
        var group = (int)OnnxReading.Int(node, "group", 1);
        if (c != cPerGroup * group || m % group != 0)
        {
            throw new InvalidOperationException(
                $"Conv '{node.Name}': {c} input channels, weight [{m},{cPerGroup},{kh},{kw}], group {group} do not fit.");
        }
        var win = SpatialWindow.Read(node, [kh, kw], [h, wd], symmetricPads);
        var ho = win.OutputSize(0, h);
        var wo = win.OutputSize(1, wd);
        var y = new RefTensor([n, m, ho, wo]);
        var mPerGroup = m / group;
        var k = cPerGroup * kh * kw;
        var positions = ho * wo;
        for (var b = 0; b < n; b++)
        {
            for (var g = 0; g < group; g++)
            {
                var columns = Im2Col(x, b, g * cPerGroup, cPerGroup, win, kh, kw, ho, wo);
                // Each output channel is a weighted sum of the column rows (vectorized AXPYs), done
                // in tiles of positions so the rows being summed stay in cache.
                var tiles = (positions + PositionTile - 1) / PositionTile;
                Parallel.For(0, tiles, tile =>
                {
                    var start = tile * PositionTile;
                    var length = Math.Min(PositionTile, positions - start);
                    for (var oc = g * mPerGroup; oc < (g + 1) * mPerGroup; oc++)
                    {
                        var outTile = y.Data.AsSpan((b * m + oc) * positions + start, length);
                        outTile.Fill(bias is null ? 0.0 : bias.Data[oc]);
                        for (var r = 0; r < k; r++)
                        {
                            var weight = w.Data[oc * k + r];
                            if (weight != 0) Axpy(weight, columns.AsSpan(r * positions + start, length), outTile);
                        }
                    }
                });
            }
        }
        return y;
    }

    /// <summary>
    /// The input patches of one group as a [cPerGroup*kh*kw, ho*wo] matrix: row (c, ki, kj) holds, for
    /// every output position, the input pixel under kernel tap (ki, kj), or 0 where it falls in the padding.
    /// </summary>
    private static double[] Im2Col(RefTensor x, int b, int c0, int cPerGroup, SpatialWindow win, int kh, int kw, int ho, int wo)
    {
        var (_, c, h, wd) = x.Nchw("Conv input");
        var (sh, sw) = (win.Strides[0], win.Strides[1]);
        var (dh, dw) = (win.Dilations[0], win.Dilations[1]);
        var (ph, pw) = (win.PadBegin[0], win.PadBegin[1]);
        var positions = ho * wo;
        var columns = new double[cPerGroup * kh * kw * positions];
        for (var icg = 0; icg < cPerGroup; icg++)
        {
            var inPlane = (b * c + c0 + icg) * h * wd;
            for (var ki = 0; ki < kh; ki++)
            {
                for (var kj = 0; kj < kw; kj++)
                {
                    var row = ((icg * kh + ki) * kw + kj) * positions;
                    // Output columns whose input column ow*sw - pw + kj*dw lies inside [0, wd).
                    var owStart = Math.Max(CeilDiv(pw - kj * dw, sw), 0);
                    var owEnd = Math.Min(FloorDiv(wd - 1 + pw - kj * dw, sw), wo - 1);
                    for (var oh = 0; oh < ho; oh++)
                    {
                        var ih = oh * sh - ph + ki * dh;
                        if (ih < 0 || ih >= h) continue;
                        var inRow = inPlane + ih * wd - pw + kj * dw;
                        for (var ow = owStart; ow <= owEnd; ow++)
                        {
                            columns[row + oh * wo + ow] = x.Data[inRow + ow * sw];
                        }
                    }
                }
            }
        }
        return columns;
    }

    /// <summary><c>y += a * x</c>.</summary>
    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var av = new Vector<double>(a);
            for (; i <= y.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                (new Vector<double>(y[i..]) + av * new Vector<double>(x[i..])).CopyTo(y[i..]);
            }
        }
        for (; i < y.Length; i++) y[i] += a * x[i];
    }

    internal static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

    internal static int CeilDiv(int a, int b) => (int)Math.Ceiling((double)a / b);
}
