using Onnx;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Backward;

/// <summary>Backward rules for ops that move data around: Concat and Pad.</summary>
internal static class StructuralRules
{
    private const int ActivationRank = 4;

    /// <summary>Concat: Split the gradient by the inputs' sizes along the axis (read at run time).</summary>
    public static string?[] Concat(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var b = context.Builder;
        var axis = node.GetInt("axis", 1);
        if (axis < 0) axis += ActivationRank;
        var sizes = b.Add("Concat", node.Input.Select(i => b.ShapeOf(i, axis, axis + 1)).ToArray(), "concat_sizes",
            Attr.Int("axis", 0));
        var parts = b.AddMulti("Split", [outputGrads[0]!, sizes], node.Input.Count, "concat_grad", Attr.Int("axis", axis));
        return node.Input.Select((input, i) => context.NeedsGrad(input) ? parts[i] : null).ToArray();
    }

    /// <summary>Pad (constant mode, non-negative pads): Slice the padding off the gradient.</summary>
    public static string?[] Pad(NodeProto node, string?[] outputGrads, BackwardContext context)
    {
        var result = new string?[node.Input.Count];
        if (!context.NeedsGrad(node.Input[0])) return result;
        var mode = node.GetString("mode") ?? "constant";
        if (mode != "constant")
        {
            throw new GraphCompilationException($"Pad '{node.Name}' uses mode '{mode}'; only constant padding is supported.");
        }
        if (node.Input.Count > 3 && node.Input[3].Length > 0)
        {
            throw new GraphCompilationException($"Pad '{node.Name}' pads selected axes; only full pads are supported.");
        }
        var pads = Tensors.ReadInt64s(context.Weight(node, 1));
        if (pads.Any(p => p < 0))
        {
            throw new GraphCompilationException($"Pad '{node.Name}' has negative pads (cropping), which is not supported.");
        }
        var rank = pads.Length / 2;
        var starts = pads.Take(rank).ToArray();
        var ends = pads.Skip(rank).Select(p => p == 0 ? long.MaxValue : -p).ToArray();
        var axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        var b = context.Builder;
        result[0] = b.Add("Slice", [outputGrads[0]!, b.ConstInt64(starts), b.ConstInt64(ends), b.ConstInt64(axes)], "pad_grad");
        return result;
    }
}
