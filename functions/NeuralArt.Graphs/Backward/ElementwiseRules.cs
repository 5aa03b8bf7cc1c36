using Onnx;

namespace NeuralArt.Graphs.Backward;

/// <summary>
/// Backward rules for Add, Sum, Sub, Mul, Identity. Two activations combined by these ops have the
/// same shape (residual blocks) or one is [N,C,1,1] (squeeze-and-excitation), whose gradient is then
/// summed over H and W; constants may broadcast freely.
/// </summary>
internal static class ElementwiseRules
{
    /// <summary>Add, Sum, Identity: the gradient passes unchanged to every input that needs one.</summary>
    public static string?[] PassThrough(NodeProto node, string?[] outputGrads, BackwardContext context) =>
        node.Input.Select((input, i) => context.NeedsGrad(input) ? context.Unbroadcast(node, i, outputGrads[0]) : null).ToArray();

    public static string?[] Sub(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[2];
        if (context.NeedsGrad(node.Input[0])) result[0] = context.Unbroadcast(node, 0, outputGrads[0]);
        if (context.NeedsGrad(node.Input[1])) result[1] = context.Unbroadcast(node, 1, context.Builder.Add("Neg", [outputGrads[0]!], "sub_grad"));
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
                result[i] = context.Unbroadcast(node, i, context.Builder.Mul(outputGrads[0]!, node.Input[1 - i], "mul_grad"));
            }
        }
        return result;
    }
}
