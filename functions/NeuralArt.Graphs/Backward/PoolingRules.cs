using Onnx;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Backward;

/// <summary>Backward rules for MaxPool, AveragePool and GlobalAveragePool.</summary>
internal static class PoolingRules
{
    /// <summary>
    /// MaxPool backward: the forward MaxPool also returns the flat indices of its maxima (the
    /// compiler adds that output), and the gradient is scattered back with
    /// <c>ScatterElements(reduction=add)</c> on flattened tensors. Summing matters: with 3x3/2
    /// windows one input can be the maximum of several windows (MaxUnpool would overwrite).
    /// </summary>
    public static string?[] MaxPool(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[node.Input.Count];
        if (!context.NeedsGrad(node.Input[0])) return result;
        if (node.Output.Count < 2)
        {
            throw new InvalidOperationException($"MaxPool '{node.Name}' has no indices output; the compiler should have added it.");
        }
        result[0] = ScatterGradient(context.Builder, node.Input[0], node.Output[1], outputGrads[0]!);
        return result;
    }

    /// <summary>
    /// The max-pool's input gradient: <paramref name="dy"/> added at the flat <paramref name="indices"/>
    /// into zeros of <paramref name="x"/>'s shape. One home for the rule and for the graphs that
    /// measure or check it (<see cref="Analysis.MaxPoolProbe"/>); <paramref name="output"/> names the result.
    /// </summary>
    internal static string ScatterGradient(GraphBuilder b, string x, string indices, string dy, string? output = null)
    {
        var shape = b.ShapeOf(x);
        var count = b.Add("ReduceProd", [shape], "numel", Attr.Int("keepdims", 1));
        var zeros = b.Add("ConstantOfShape", [count], "zeros", TensorValue(0f));
        var flat = b.ConstInt64([-1]);
        var flatIndices = b.Add("Reshape", [indices, flat], "idx_flat");
        var updates = b.Add("Reshape", [dy, flat], "dy_flat");
        var scattered = b.Add("ScatterElements", [zeros, flatIndices, updates], "maxpool_grad_flat",
            Attr.Int("axis", 0), Attr.String("reduction", "add"));
        return output is null ? b.Add("Reshape", [scattered, shape], "maxpool_grad") : b.AddNamed("Reshape", [scattered, shape], output);
    }

    /// <summary>
    /// AveragePool backward: each channel is treated as its own image ([N*C,1,h,w]) and spread back
    /// with a ConvTranspose of a ones kernel, after dividing by the window's divisor (the kernel
    /// size, or with count_include_pad=0 the number of real pixels in each window).
    /// </summary>
    public static string?[] AveragePool(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[node.Input.Count];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var b = context.Builder;
        var x = node.Input[0];
        var kernel = node.GetInts("kernel_shape")!;
        var rank = kernel.Length;
        var strides = node.GetInts("strides") ?? ConvolutionRule.Ones(rank);
        var pads = node.GetInts("pads") ?? new long[rank * 2];
        var ceil = node.GetInt("ceil_mode", 0);
        var includePad = node.GetInt("count_include_pad", 0) != 0;
        var windowSize = kernel.Aggregate(1L, (p, k) => p * k);

        string scaled;
        if (ceil == 0 && (includePad || pads.All(p => p == 0)))
        {
            scaled = b.Mul(outputGrads[0]!, b.Scalar(1f / windowSize), "avgpool_dy");
        }
        else
        {
            scaled = b.Add("Div", [outputGrads[0]!, WindowCounts(b, node, x, kernel, strides, pads, includePad)], "avgpool_dy");
        }
        if (ceil == 0 && strides.All(s => s == 1) && kernel.Zip(pads, (k, p) => p < k).All(x => x) && kernel.Zip(pads.Skip(rank), (k, p) => p < k).All(x => x))
        {
            result[0] = BoxSumBackward(b, scaled, kernel, pads, windowSize);
            return result;
        }
        var perChannel = b.Add("Reshape", [scaled, b.ConstInt64([-1, 1, 0, 0])], "avgpool_dy_nc");
        var onesKernel = b.ConstFloat(Enumerable.Repeat(1f, (int)windowSize).ToArray(), [1, 1, .. kernel], "ones_kernel");
        var cropped = b.TransposedConvCropped(perChannel, onesKernel, kernel, strides, pads,
            ConvolutionRule.Ones(rank), 1, x, "avgpool_spread");
        result[0] = b.Add("Reshape", [cropped, b.ShapeOf(x)], "avgpool_grad");
        return result;
    }

    /// <summary>
    /// Stride 1: the adjoint of a box sum with pads <c>(b, e)</c> is a box sum with pads
    /// <c>(k-1-b, k-1-e)</c> (the ones kernel is its own flip, as in the Conv rule's flipped-kernel
    /// path), which is an AveragePool counting its zero pads, times the window size. One native
    /// pool per channel instead of a single-channel ConvTranspose over every channel: Inception's
    /// ten 3x3 "same" average pools. Each side's pad must stay below the kernel size.
    /// </summary>
    private static string BoxSumBackward(GraphBuilder b, string scaledDy, long[] kernel, long[] pads, long windowSize)
    {
        var rank = kernel.Length;
        var adjointPads = new long[rank * 2];
        for (var i = 0; i < rank * 2; i++) adjointPads[i] = kernel[i % rank] - 1 - pads[i];
        var mean = b.Add("AveragePool", [scaledDy], "avgpool_box", Attr.Ints("kernel_shape", kernel),
            Attr.Ints("pads", adjointPads), Attr.Int("count_include_pad", 1));
        return b.Mul(mean, b.Scalar(windowSize), "avgpool_grad");
    }

    /// <summary>
    /// The divisor of each window: the pixels it covers, counting pads when count_include_pad=1 but
    /// never the overhang of ceil-mode windows past the padded input (ONNX Runtime clips those).
    /// A ones mask, padded with ones or zeros, then with s-1 zeros for the overhang, summed by a
    /// stride-s Conv of a ones kernel and cropped to the output's size.
    /// </summary>
    private static string WindowCounts(GraphBuilder b, NodeProto node, string x, long[] kernel, long[] strides, long[] pads, bool includePad)
    {
        var rank = kernel.Length;
        var onesShape = b.Add("Concat", [b.ConstInt64([1, 1]), b.ShapeOf(x, 2)], "ones_shape", Attr.Int("axis", 0));
        var ones = b.Add("ConstantOfShape", [onesShape], "ones", TensorValue(1f));
        var padded = b.Add("Pad", [ones, b.ConstInt64([0, 0, .. pads.Take(rank), 0, 0, .. pads.Skip(rank)]), b.Scalar(includePad ? 1f : 0f)], "window_mask");
        var overhang = b.Add("Pad", [padded, b.ConstInt64([0, 0, .. new long[rank], 0, 0, .. strides.Select(s => s - 1)])], "window_mask_ceil");
        var windowSize = kernel.Aggregate(1L, (p, k) => p * k);
        var onesKernel = b.ConstFloat(Enumerable.Repeat(1f, (int)windowSize).ToArray(), [1, 1, .. kernel], "ones_kernel");
        var counts = b.Add("Conv", [overhang, onesKernel], "window_counts",
            Attr.Ints("kernel_shape", kernel), Attr.Ints("strides", strides));
        return b.CropSpatialTo(counts, node.Output[0], "window_counts_crop");
    }

    /// <summary>GlobalAveragePool backward: the gradient spread evenly over H*W.</summary>
    public static string?[] GlobalAveragePool(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[node.Input.Count];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var b = context.Builder;
        var x = node.Input[0];
        var area = b.Add("Cast", [b.Add("ReduceProd", [b.ShapeOf(x, 2)], "area", Attr.Int("keepdims", 0))], "area_f",
            Attr.Int("to", Tensors.FloatType));
        var expanded = b.Add("Expand", [outputGrads[0]!, b.ShapeOf(x)], "gap_expand");
        result[0] = b.Add("Div", [expanded, area], "gap_grad");
        return result;
    }

    internal static AttributeProto TensorValue(float value) => new()
    {
        Name = "value",
        Type = AttributeProto.Types.AttributeType.Tensor,
        T = Tensors.Float("value", [1], [value]),
    };
}
