using Onnx;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Backward;

/// <summary>
/// Conv backward with respect to its input (weights are constants).
/// Stride 1: a plain Conv with the kernel flipped and its in/out channels swapped, pads
/// <c>k_eff - 1 - p</c>: exact and as fast as the forward. Square strides with kernels at least
/// as large (the 7x7/2 stem, 3x3/2 convs): a polyphase stride-1 Conv plus DepthToSpace (measured
/// 15% faster than ConvTranspose over a ResNet-18 step at 512 px). Otherwise ConvTranspose with the
/// forward's pads and <c>output_padding = s - 1</c>, then a Slice to the input's size (the
/// <c>output_shape</c> attribute is avoided: ONNX Runtime ignores pads with it).
/// </summary>
internal static class ConvolutionRule
{
    public static string?[] Backward(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var dy = outputGrads[0]!;
        var result = new string?[node.Input.Count];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var b = context.Builder;
        var weight = context.Weight(node, 1);
        var kernel = weight.Dims.Skip(2).ToArray();
        var rank = kernel.Length;
        var strides = node.GetInts("strides") ?? Ones(rank);
        var dilations = node.GetInts("dilations") ?? Ones(rank);
        var pads = node.GetInts("pads") ?? new long[rank * 2];
        var group = node.GetInt("group", 1);

        var effective = new long[rank];
        for (var i = 0; i < rank; i++) effective[i] = (kernel[i] - 1) * dilations[i] + 1;
        var flippedPads = new long[rank * 2];
        var canFlip = strides.All(s => s == 1);
        for (var i = 0; i < rank * 2; i++)
        {
            flippedPads[i] = effective[i % rank] - 1 - pads[i];
            canFlip &= flippedPads[i] >= 0;
        }

        if (canFlip)
        {
            var flipped = FlipTranspose(weight, group, b);
            result[0] = b.Add("Conv", [dy, flipped], "conv_grad",
                Attr.Ints("kernel_shape", kernel), Attr.Ints("pads", flippedPads),
                Attr.Ints("dilations", dilations), Attr.Int("group", group));
            return result;
        }

        if (CanUsePolyphase(kernel, strides, dilations, group))
        {
            result[0] = Polyphase(node, dy, weight, kernel, (int)strides[0], pads, b);
            return result;
        }

        result[0] = b.TransposedConvCropped(dy, node.Input[1], kernel, strides, pads, dilations, group, node.Input[0], "convt_grad");
        return result;
    }

    private static bool CanUsePolyphase(long[] kernel, long[] strides, long[] dilations, long group) =>
        kernel.Length == 2 && group == 1 && dilations.All(d => d == 1) &&
        strides[0] == strides[1] && strides[0] > 1 && kernel.All(k => k >= strides[0]);

    /// <summary>
    /// Below this many input channels the phases stay stacked in one Conv. ONNX Runtime's CPU
    /// convolutions compute output channels in blocks of 16 (NCHWc): a phase of the 3-channel stem
    /// would be padded to 16 channels, wasting more than its skipped taps save.
    /// </summary>
    internal const int SplitPhasesMinChannels = 16;

    /// <summary>
    /// Strided Conv backward as stride-1 Convs plus an interleave. Writing <c>i + p = s*q + r</c>,
    /// <c>dx[i] = sum_m w[r + s*m] dy[q - m]</c>: for each phase r a correlation of dy with a
    /// flipped sub-kernel of the <c>ceil((k - r)/s)</c> taps that exist. The s*s phases are
    /// stacked as channels in DepthToSpace's DCR order, interleaved by DepthToSpace, and sliced from
    /// offset p to the input's size. With many channels each phase is its own Conv of exactly its
    /// taps (9 multiply-adds per pixel for 3x3/2, not 16); with few, one Conv computes all phases
    /// with zero-padded <c>ceil(k/s)</c>-tap sub-kernels. Either runs as a plain Conv, which ONNX
    /// Runtime does much faster than ConvTranspose.
    /// </summary>
    private static string Polyphase(NodeProto node, string dy, TensorProto weight, long[] kernel, int stride, long[] pads, GraphBuilder b)
    {
        var w = Tensors.ReadFloats(weight);
        var cout = (int)weight.Dims[0];
        var cin = (int)weight.Dims[1];
        int kh = (int)kernel[0], kw = (int)kernel[1];
        int mh = (kh + stride - 1) / stride, mw = (kw + stride - 1) / stride;
        // Enough trailing pad that the interleaved result covers [p, p + size) for any input size.
        var endH = Math.Max(0, (kh - pads[0] + stride - 1) / stride + 1);
        var endW = Math.Max(0, (kw - pads[1] + stride - 1) / stride + 1);

        string phased;
        if (cin >= SplitPhasesMinChannels)
        {
            var phaseOutputs = new List<string>(stride * stride);
            for (var rh = 0; rh < stride; rh++)
            for (var rw = 0; rw < stride; rw++)
            {
                // Taps of phase r: w[r + s*t] for t < (k - r)/s, correlated (so flipped) with dy.
                int th = (kh - 1 - rh) / stride + 1, tw = (kw - 1 - rw) / stride + 1;
                var sub = new float[cin * cout * th * tw];
                for (var ci = 0; ci < cin; ci++)
                for (var co = 0; co < cout; co++)
                for (var jh = 0; jh < th; jh++)
                for (var jw = 0; jw < tw; jw++)
                {
                    var sh = rh + stride * (th - 1 - jh);
                    var sw = rw + stride * (tw - 1 - jw);
                    sub[((ci * cout + co) * th + jh) * tw + jw] = w[((co * cin + ci) * kh + sh) * kw + sw];
                }
                var subWeight = b.ConstFloat(sub, [cin, cout, th, tw], $"{weight.Name}_phase{rh}{rw}");
                // Same output size for every phase: (t - 1) leading pad, the shared trailing pad.
                phaseOutputs.Add(b.Add("Conv", [dy, subWeight], "poly_phase",
                    Attr.Ints("kernel_shape", [th, tw]), Attr.Ints("pads", [th - 1, tw - 1, endH, endW])));
            }
            phased = b.Add("Concat", phaseOutputs, "poly_phases", Attr.Int("axis", 1));
        }
        else
        {
            var phases = new float[stride * stride * cin * cout * mh * mw];
            for (var rh = 0; rh < stride; rh++)
            for (var rw = 0; rw < stride; rw++)
            for (var ci = 0; ci < cin; ci++)
            for (var co = 0; co < cout; co++)
            for (var jh = 0; jh < mh; jh++)
            for (var jw = 0; jw < mw; jw++)
            {
                var sh = rh + stride * (mh - 1 - jh);
                var sw = rw + stride * (mw - 1 - jw);
                if (sh >= kh || sw >= kw) continue;
                var outChannel = (rh * stride + rw) * cin + ci;
                phases[((outChannel * cout + co) * mh + jh) * mw + jw] = w[((co * cin + ci) * kh + sh) * kw + sw];
            }
            var phaseWeight = b.ConstFloat(phases, [stride * stride * cin, cout, mh, mw], weight.Name + "_polyphase");
            phased = b.Add("Conv", [dy, phaseWeight], "poly_conv",
                Attr.Ints("kernel_shape", [mh, mw]), Attr.Ints("pads", [mh - 1, mw - 1, endH, endW]));
        }
        var interleaved = b.Add("DepthToSpace", [phased], "poly_interleave",
            Attr.Int("blocksize", stride), Attr.String("mode", "DCR"));
        var begin = b.ConstInt64([pads[0], pads[1]]);
        var end = b.Add("Add", [b.ShapeOf(node.Input[0], 2, 4), begin], "poly_end");
        return b.Add("Slice", [interleaved, begin, end, b.ConstInt64([2, 3])], "poly_grad");
    }

    /// <summary>[Cout, Cin/g, k...] to [Cin, Cout/g, k...] with the spatial axes reversed, per group.</summary>
    private static string FlipTranspose(TensorProto weight, long group, GraphBuilder b)
    {
        var w = Tensors.ReadFloats(weight);
        var dims = weight.Dims.ToArray();
        var cout = dims[0];
        var cinPerGroup = dims[1];
        var spatial = dims.Skip(2).Aggregate(1L, (x, y) => x * y);
        var coutPerGroup = cout / group;
        var flipped = new float[w.Length];
        for (var g = 0; g < group; g++)
        for (var o = 0; o < coutPerGroup; o++)
        for (var i = 0; i < cinPerGroup; i++)
        {
            var src = ((g * coutPerGroup + o) * cinPerGroup + i) * spatial;
            var dst = ((g * cinPerGroup + i) * coutPerGroup + o) * spatial;
            for (var k = 0; k < spatial; k++) flipped[dst + k] = w[src + spatial - 1 - k];
        }
        var newDims = (long[])dims.Clone();
        newDims[0] = cinPerGroup * group;
        newDims[1] = coutPerGroup;
        return b.ConstFloat(flipped, newDims, weight.Name + "_flipped");
    }

    internal static long[] Ones(int rank) => Enumerable.Repeat(1L, rank).ToArray();
}
