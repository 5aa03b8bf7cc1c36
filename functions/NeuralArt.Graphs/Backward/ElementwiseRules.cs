using Onnx;

namespace NeuralArt.Graphs.Backward;

/// <summary>
/// Backward rules for Add, Sum, Sub, Mul, Identity. Two activations combined by these ops are
/// expected to have the same shape (as in residual blocks); constants may broadcast.
/// </summary>
internal static class ElementwiseRules
{
    /// <summary>Add, Sum, Identity: the gradient passes unchanged to every input that needs one.</summary>
    public static string?[] PassThrough(NodeProto node, string?[] outputGrads, BackwardContext context) =>
        node.Input.Select(i => context.NeedsGrad(i) ? outputGrads[0] : null).ToArray();

    public static string?[] Sub(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[2];
        if (context.NeedsGrad(node.Input[0])) result[0] = outputGrads[0];
        if (context.NeedsGrad(node.Input[1])) result[1] = context.Builder.Add("Neg", [outputGrads[0]!], "sub_grad");
        return result;
    }

    /// <summary>Mul: <c>d a = dy * b</c>, <c>d b = dy * a</c>.</summary>
    public static string?[] Mul(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[2];
        for (var i = 0; i < 2; i++)
        {
            if (context.NeedsGrad(node.Input[i]))
            {
                result[i] = context.Builder.Mul(outputGrads[0]!, node.Input[1 - i], "mul_grad");
            }
        }
        return result;
    }
}
