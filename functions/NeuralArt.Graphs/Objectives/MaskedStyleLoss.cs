using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Objectives;

/// <summary>
/// Guided Gram matrices (Gatys, Ecker, Bethge, Hertzmann and Shechtman, "Controlling Perceptual
/// Factors in Neural Style Transfer", 2017): with K regions, each given by a mask <c>m_k</c> in [0,1]
/// at the tap's resolution (<c>style_mask.{tap}</c>, [K,1,h,w]), the Gram of region k is
/// <c>G_k = F diag(m_k) F^T / (C Z_k)</c>, <c>Z_k = sum m_k</c>: the mask-weighted average of
/// <c>f f^T</c>, which for a mask of ones is the plain Gram. Its term is
/// <c>w_k mean((G_k - T_k)^2)</c> with <c>T_k</c> = <c>style_target.{tap}</c>[k] and
/// <c>w_k</c> = <c>style_weight.{tap}</c>[k]; the gradient is
/// <c>dF = sum_k 4 w_k R_k F diag(m_k) / (C^3 Z_k)</c>, <c>R_k = G_k - T_k</c> (symmetric).
/// </summary>
internal static class MaskedStyleLoss
{
    /// <summary>Masked Gram loss at one tap; returns the weighted term (a scalar).</summary>
    public static string EmitStyle(GraphBuilder b, BackwardPass backward, string activation, string tap, StyleSmoothing? smoothing)
    {
        var target = StyleGraphNames.StyleTarget(tap);
        var weight = StyleGraphNames.StyleWeight(tap);
        var features = StyleLoss.Smooth(b, activation, tap, smoothing);
        var flat = b.Add("Reshape", [features, b.ConstInt64([0, 0, -1])], "mgram_f");                   // [1, C, N]
        var flatT = b.Add("Transpose", [flat], "mgram_ft", Attr.Ints("perm", [0, 2, 1]));              // [1, N, C]
        var mask = b.Add("Reshape", [StyleGraphNames.StyleMask(tap), b.ConstInt64([0, 1, -1])], "mgram_m"); // [K, 1, N]
        var weighted = b.Mul(flat, mask, "mgram_fm");                                                    // [K, C, N]
        var channels = Channels(b, activation);                                                          // [1]
        var z = b.Add("Max", [b.Add("ReduceSum", [mask, b.ConstInt64([1, 2])], "mgram_z", Attr.Int("keepdims", 1)), b.Scalar(StyleObjective.MinMaskWeight)], "mgram_zmin"); // [K,1,1]
        var norm = b.Mul(z, channels, "mgram_norm");                                                     // C Z_k
        var gram = b.Add("Div", [b.Add("MatMul", [weighted, flatT], "mgram_raw"), norm], "mgram");      // [K, C, C]
        var diff = b.Add("Sub", [gram, target], "mgram_diff");
        var cc = b.Mul(channels, channels, "mgram_cc");
        var mse = b.Add("Div", [b.Add("ReduceSum", [b.Mul(diff, diff), b.ConstInt64([1, 2])], "mgram_sq", Attr.Int("keepdims", 0)), cc], "mgram_mse"); // [K]
        var term = b.Add("ReduceSum", [b.Mul(mse, weight, "mgram_weighted")], "mgram_term", Attr.Int("keepdims", 0));

        // d term / d F = sum_k 4 w_k R_k F diag(m_k) / (C^2 * C Z_k).
        var weight3 = b.Add("Reshape", [weight, b.ConstInt64([-1, 1, 1])], "mgram_w3");
        var scale = b.Add("Div", [b.Mul(weight3, b.Scalar(4f)), b.Mul(cc, norm)], "mgram_grad_scale");  // [K,1,1]
        var dRegions = b.Mul(b.Add("MatMul", [diff, weighted], "mgram_rfm"), scale, "mgram_dk");          // [K, C, N]
        var dFlat = b.Add("ReduceSum", [dRegions, b.ConstInt64([0])], "mgram_dflat", Attr.Int("keepdims", 1));
        var dFeatures = b.Add("Reshape", [dFlat, b.ShapeOf(activation)], "mgram_dfeat");
        backward.Seed(activation, StyleLoss.SmoothingBackward(b, dFeatures, features, tap, smoothing));
        return term;
    }

    /// <summary>Tiled pass 1: <c>sum over the centre of m_k f f^T</c> per region, [K, C, C] (normalized by the caller, who knows the whole <c>Z_k</c>).</summary>
    public static string PartialGram(GraphBuilder b, string activation, string tap, StyleSmoothing? smoothing)
    {
        var features = StyleLoss.Smooth(b, activation, tap, smoothing);
        var flat = b.Add("Reshape", [StyleTileLoss.Crop(b, features, tap), b.ConstInt64([0, 0, -1])], "mpgram_f");
        var flatT = b.Add("Transpose", [flat], "mpgram_ft", Attr.Ints("perm", [0, 2, 1]));
        var mask = b.Add("Reshape", [StyleGraphNames.StyleMask(tap), b.ConstInt64([0, 1, -1])], "mpgram_m");
        return b.Add("MatMul", [b.Mul(flat, mask, "mpgram_fm"), flatT], "mpgram");
    }

    /// <summary>Tiled pass 2: seeds <c>sum_k s_k R_k F_c diag(m_k)</c>, <c>s_k</c> = <c>style_scale.{tap}</c>[k], through the crop and smoothing.</summary>
    public static void SeedStyle(GraphBuilder b, BackwardPass backward, string activation, string tap, StyleSmoothing? smoothing)
    {
        var features = StyleLoss.Smooth(b, activation, tap, smoothing);
        var centre = StyleTileLoss.Crop(b, features, tap);
        var flat = b.Add("Reshape", [centre, b.ConstInt64([0, 0, -1])], "mtile_f");
        var mask = b.Add("Reshape", [StyleGraphNames.StyleMask(tap), b.ConstInt64([0, 1, -1])], "mtile_m");
        var scale = b.Add("Reshape", [StyleTileNames.StyleScale(tap), b.ConstInt64([-1, 1, 1])], "mtile_s");
        var dRegions = b.Mul(b.Add("MatMul", [StyleTileNames.StyleResidual(tap), b.Mul(flat, mask, "mtile_fm")], "mtile_rfm"), scale, "mtile_dk");
        var dFlat = b.Add("ReduceSum", [dRegions, b.ConstInt64([0])], "mtile_dflat", Attr.Int("keepdims", 1));
        var dCentre = b.Add("Reshape", [dFlat, b.ShapeOf(centre)], "mtile_dcentre");
        var dFeatures = StyleTileLoss.Uncrop(b, dCentre, features, tap);
        backward.Seed(activation, StyleLoss.SmoothingBackward(b, dFeatures, features, tap, smoothing));
    }

    /// <summary>The tap's channel count as a float [1].</summary>
    private static string Channels(GraphBuilder b, string activation) =>
        b.Add("Cast", [b.ShapeOf(activation, 1, 2)], "mgram_c", Attr.Int("to", Tensors.FloatType));
}
