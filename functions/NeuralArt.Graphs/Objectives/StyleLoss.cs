using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Objectives;

/// <summary>Emits the style, content and total-variation terms of <see cref="StyleObjective"/> and seeds their gradients.</summary>
internal static class StyleLoss
{
    /// <summary>Gram loss at one tap; returns the weighted term.</summary>
    public static string EmitStyle(GraphBuilder b, BackwardPass backward, string activation, string tap, StyleSmoothing? smoothing)
    {
        var target = StyleGraphNames.StyleTarget(tap);
        var weight = StyleGraphNames.StyleWeight(tap);
        var (features, flat, count, gram) = EmitGram(b, activation, tap, smoothing);
        var diff = b.Add("Sub", [gram, target], "gram_diff");
        var cc = DreamLoss.CountOf(b, diff);                                                     // C * C
        var term = b.Mul(b.Add("Div", [b.Add("ReduceSum", [b.Mul(diff, diff)], "gram_sq", Attr.Int("keepdims", 0)), cc], "gram_mse"), weight, "style_term");

        // d term / d F = 2 * (2 w (G - T) / C^2) F / (C N); G - T is symmetric.
        var scale = b.Add("Div", [b.Mul(weight, b.Scalar(4f)), b.Mul(cc, count)], "gram_grad_scale");
        var dFlat = b.Mul(b.Add("MatMul", [b.Add("Unsqueeze", [diff, b.ConstInt64([0])], "gram_diff3"), flat], "gram_dflat"), scale, "gram_dflat_scaled");
        var dFeatures = b.Add("Reshape", [dFlat, b.ShapeOf(activation)], "gram_dfeat");
        backward.Seed(activation, SmoothingBackward(b, dFeatures, features, tap, smoothing));
        return term;
    }

    /// <summary>The Gram matrix <c>F F^T / (C N)</c> of the smoothed features at one tap, as [C, C].</summary>
    public static (string Features, string Flat, string Count, string Gram) EmitGram(GraphBuilder b, string activation, string tap, StyleSmoothing? smoothing)
    {
        var features = Smooth(b, activation, tap, smoothing);
        var flat = b.Add("Reshape", [features, b.ConstInt64([0, 0, -1])], "gram_f");            // [1, C, N]
        var flatT = b.Add("Transpose", [flat], "gram_ft", Attr.Ints("perm", [0, 2, 1]));       // [1, N, C]
        var count = DreamLoss.CountOf(b, activation);                                            // C * N
        var gram = b.Add("Div", [b.Add("Squeeze", [b.Add("MatMul", [flat, flatT], "gram_raw"), b.ConstInt64([0])], "gram_cc"), count], "gram");
        return (features, flat, count, gram);
    }

    /// <summary>The smoothing transform of a tap's features (identity when it does not apply).</summary>
    public static string Smooth(GraphBuilder b, string activation, string tap, StyleSmoothing? smoothing)
    {
        if (smoothing is null || !smoothing.AppliesTo(tap)) return activation;
        return smoothing.Mode == StyleSmoothingMode.Scale
            ? b.Mul(activation, b.Scalar(smoothing.Factor), "smooth_scaled")
            : b.Add("Softmax", [b.Mul(activation, b.Scalar(1f / smoothing.Temperature), "smooth_tempered")],
                "smooth_softmax", Attr.Int("axis", 1));
    }

    public static string SmoothingBackward(GraphBuilder b, string dFeatures, string features, string tap, StyleSmoothing? smoothing)
    {
        if (smoothing is null || !smoothing.AppliesTo(tap)) return dFeatures;
        if (smoothing.Mode == StyleSmoothingMode.Scale) return b.Mul(dFeatures, b.Scalar(smoothing.Factor), "smooth_scaled_grad");
        // Softmax over channels: dx = y * (dy - sum_c dy * y) / T.
        var inner = b.Add("ReduceSum", [b.Mul(dFeatures, features), b.ConstInt64([1])], "smooth_dot", Attr.Int("keepdims", 1));
        var centered = b.Add("Sub", [dFeatures, inner], "smooth_centered");
        return b.Mul(b.Mul(features, centered), b.Scalar(1f / smoothing.Temperature), "smooth_softmax_grad");
    }

    /// <summary>Content loss at one tap: <c>w * mean((A - P)^2)</c>.</summary>
    public static string EmitContent(GraphBuilder b, BackwardPass backward, string activation, string tap)
    {
        var weight = StyleGraphNames.ContentWeight(tap);
        var diff = b.Add("Sub", [activation, StyleGraphNames.ContentTarget(tap)], "content_diff");
        var count = DreamLoss.CountOf(b, activation);
        var term = b.Mul(b.Add("Div", [b.Add("ReduceSum", [b.Mul(diff, diff)], "content_sq", Attr.Int("keepdims", 0)), count], "content_mse"), weight, "content_term");
        var scale = b.Add("Div", [b.Mul(weight, b.Scalar(2f)), count], "content_grad_scale");
        backward.Seed(activation, b.Mul(diff, scale, "content_seed"));
        return term;
    }

    /// <summary>
    /// Total variation of the image, <c>w * (sum dh^2 + sum dw^2) / numel</c>, and its gradient
    /// <c>2 w / numel * (dh shifted down - dh + dw shifted right - dw)</c>, zero-padded at the edges.
    /// </summary>
    public static (string Term, string Gradient) EmitTotalVariation(GraphBuilder b)
    {
        var x = GraphNames.Image;
        var weight = StyleGraphNames.TvWeight;
        var max = long.MaxValue;
        string Diff(long axis) => b.Add("Sub",
            [b.Add("Slice", [x, b.ConstInt64([1]), b.ConstInt64([max]), b.ConstInt64([axis])], "tv_next"),
             b.Add("Slice", [x, b.ConstInt64([0]), b.ConstInt64([-1]), b.ConstInt64([axis])], "tv_prev")], "tv_diff");
        var dh = Diff(2);
        var dw = Diff(3);
        var count = DreamLoss.CountOf(b, x);
        var sum = b.Add("Add",
            [b.Add("ReduceSum", [b.Mul(dh, dh)], "tv_h", Attr.Int("keepdims", 0)),
             b.Add("ReduceSum", [b.Mul(dw, dw)], "tv_w", Attr.Int("keepdims", 0))], "tv_sum");
        var term = b.Mul(b.Add("Div", [sum, count], "tv_mean"), weight, "tv_term");

        string Pad(string t, long[] pads) => b.Add("Pad", [t, b.ConstInt64(pads)], "tv_pad");
        var gh = b.Add("Sub", [Pad(dh, [0, 0, 1, 0, 0, 0, 0, 0]), Pad(dh, [0, 0, 0, 0, 0, 0, 1, 0])], "tv_gh");
        var gw = b.Add("Sub", [Pad(dw, [0, 0, 0, 1, 0, 0, 0, 0]), Pad(dw, [0, 0, 0, 0, 0, 0, 0, 1])], "tv_gw");
        var scale = b.Add("Div", [b.Mul(weight, b.Scalar(2f)), count], "tv_grad_scale");
        return (term, b.Mul(b.Add("Add", [gh, gw], "tv_g"), scale, "tv_grad"));
    }
}

/// <summary>Input and output names of compiled style graphs.</summary>
public static class StyleGraphNames
{
    public const string StyleLoss = "style_loss";
    public const string ContentLoss = "content_loss";
    public const string TvLoss = "tv_loss";
    public const string TvWeight = "tv_weight";
    public static string StyleTarget(string tap) => "style_target." + tap;
    public static string StyleWeight(string tap) => "style_weight." + tap;
    /// <summary>Region masks of a masked objective at the tap's resolution, [K,1,h,w] (tiled: the centre's box).</summary>
    public static string StyleMask(string tap) => "style_mask." + tap;
    public static string ContentTarget(string tap) => "content_target." + tap;
    public static string ContentWeight(string tap) => "content_weight." + tap;
}
