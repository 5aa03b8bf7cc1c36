using Onnx;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Backward;

/// <summary>
/// Conv backward with respect to its input (weights are constants).
/// Stride 1: a plain Conv with the kernel flipped and its in/out channels swapped, pads
/// <c>k_eff - 1 - p</c>: exact and as fast as the forward. Otherwise ConvTranspose with the
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

        var outputPadding = strides.Select(s => s - 1).ToArray();
        var full = b.Add("ConvTranspose", [dy, node.Input[1]], "convt_grad",
            Attr.Ints("kernel_shape", kernel), Attr.Ints("strides", strides), Attr.Ints("pads", pads),
            Attr.Ints("dilations", dilations), Attr.Int("group", group), Attr.Ints("output_padding", outputPadding));
        result[0] = b.CropSpatialTo(full, node.Input[0], "convt_grad_crop");
        return result;
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
