using Onnx;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Backward;

/// <summary>Backward rules for pointwise activations and inference BatchNormalization: masks and per-channel scales.</summary>
internal static class ActivationRules
{
    /// <summary>
    /// Relu: <c>dy * Cast(y &gt; 0)</c>. Three ops that ONNX Runtime runs on every thread, where
    /// <c>Sign(y)</c> (the mask before) and <c>Where(y &gt; 0, dy, 0)</c> run on one: a 1024x809
    /// ResNet-18 step spent 40 ms on the masks with <c>Sign</c>, 28 with <c>Where</c> and 17 with
    /// these, with the same gradient bytes.
    /// </summary>
    public static string?[] Relu(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[1];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var b = context.Builder;
        var active = b.Add("Greater", [node.Output[0], b.Scalar(0f, "relu_zero")], "relu_active");
        var mask = b.Add("Cast", [active], "relu_mask", Attr.Int("to", Tensors.FloatType));
        result[0] = b.Mul(outputGrads[0]!, mask, "relu_grad");
        return result;
    }

    /// <summary>LeakyRelu: <c>dy * (x &gt; 0 ? 1 : alpha)</c>.</summary>
    public static string?[] LeakyRelu(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[1];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var b = context.Builder;
        const float DefaultAlpha = 0.01f;
        var alpha = node.GetFloat("alpha", DefaultAlpha);
        var mask = b.Add("Cast", [b.Add("Greater", [node.Input[0], b.Scalar(0f)], "lrelu_pos")], "lrelu_mask",
            Attr.Int("to", Tensors.FloatType));
        var slope = b.Add("Add", [b.Mul(mask, b.Scalar(1f - alpha)), b.Scalar(alpha)], "lrelu_slope");
        result[0] = b.Mul(outputGrads[0]!, slope, "lrelu_grad");
        return result;
    }

    /// <summary>Clip: the gradient passes where <c>min &lt; x &lt; max</c>.</summary>
    public static string?[] Clip(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[node.Input.Count];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var b = context.Builder;
        var x = node.Input[0];
        string? inside = null;
        if (node.Input.Count > 1 && node.Input[1].Length > 0)
        {
            inside = b.Add("Greater", [x, node.Input[1]], "clip_above_min");
        }
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            var below = b.Add("Less", [x, node.Input[2]], "clip_below_max");
            inside = inside is null ? below : b.Add("And", [inside, below], "clip_inside");
        }
        result[0] = inside is null
            ? outputGrads[0]
            : b.Mul(outputGrads[0]!, b.Add("Cast", [inside], "clip_mask", Attr.Int("to", Tensors.FloatType)), "clip_grad");
        return result;
    }

    /// <summary>Inference BatchNormalization not folded into a Conv: a per-channel scale <c>gamma / sqrt(var + eps)</c>.</summary>
    public static string?[] BatchNormalization(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[node.Input.Count];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var gamma = Tensors.ReadFloats(context.Weight(node, 1));
        var variance = Tensors.ReadFloats(context.Weight(node, 4));
        var epsilon = node.GetFloat("epsilon", 1e-5f);
        var scale = new float[gamma.Length];
        for (var c = 0; c < gamma.Length; c++) scale[c] = (float)(gamma[c] / Math.Sqrt((double)variance[c] + epsilon));
        var b = context.Builder;
        result[0] = b.Mul(outputGrads[0]!, b.ConstFloat(scale, [1, scale.Length, 1, 1], "bn_scale"), "bn_grad");
        return result;
    }
}
