using Onnx;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Backward;

/// <summary>
/// LRN backward. With <c>D = bias + alpha/n * S(x^2)</c> (S sums a window of n channels) and
/// <c>y = x * D^-beta</c>:
/// <c>dx = dy * D^-beta - (2 alpha beta / n) * x * S'(dy * x * D^(-beta-1))</c>, where S' sums
/// the transposed window (the same for odd n). Channel windows are summed with an AveragePool over
/// a [N,1,C,H*W] view.
/// </summary>
internal static class LrnRule
{
    private const float DefaultAlpha = 1e-4f;
    private const float DefaultBeta = 0.75f;
    private const float DefaultBias = 1f;

    public static string?[] Backward(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[1];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var b = context.Builder;
        var x = node.Input[0];
        var size = node.GetInt("size", 1);
        var alpha = node.GetFloat("alpha", DefaultAlpha);
        var beta = node.GetFloat("beta", DefaultBeta);
        var bias = node.GetFloat("bias", DefaultBias);
        var before = (size - 1) / 2;
        var after = size - 1 - before;

        var squares = b.Mul(x, x, "lrn_sq");
        var window = WindowSum(b, squares, x, before, after, size);
        var d = b.Add("Add", [b.Mul(window, b.Scalar(alpha / size)), b.Scalar(bias)], "lrn_d");
        var direct = b.Mul(outputGrads[0]!, b.Add("Pow", [d, b.Scalar(-beta)], "lrn_d_pow"), "lrn_direct");
        var inner = b.Mul(b.Mul(outputGrads[0]!, x), b.Add("Pow", [d, b.Scalar(-beta - 1f)], "lrn_d_pow1"), "lrn_inner");
        var spread = WindowSum(b, inner, x, after, before, size); // the transposed window
        var cross = b.Mul(b.Mul(x, spread), b.Scalar(2f * alpha * beta / size), "lrn_cross");
        result[0] = b.Add("Sub", [direct, cross], "lrn_grad");
        return result;
    }

    private static string WindowSum(GraphBuilder b, string z, string like, long before, long after, long size)
    {
        // [N, C, H, W] -> [N, 1, C, H*W]: channels become a spatial axis the pool can slide along.
        var viewShape = b.Add("Concat",
            [b.ShapeOf(like, 0, 1), b.ConstInt64([1]), b.ShapeOf(like, 1, 2), b.ConstInt64([-1])], "lrn_view_shape",
            Attr.Int("axis", 0));
        var view = b.Add("Reshape", [z, viewShape], "lrn_view");
        var mean = b.Add("AveragePool", [view], "lrn_window",
            Attr.Ints("kernel_shape", [size, 1]), Attr.Ints("pads", [before, 0, after, 0]),
            Attr.Int("count_include_pad", 1));
        var sum = b.Mul(mean, b.Scalar(size), "lrn_window_sum");
        return b.Add("Reshape", [sum, b.ShapeOf(like)], "lrn_window_nchw");
    }
}
