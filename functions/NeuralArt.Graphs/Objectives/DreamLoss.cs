using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Objectives;

/// <summary>
/// Emits the DeepDream objective for one tap, <c>w * mean(A^2)</c> over the selected channels, and
/// seeds its gradient <c>2 w A / N</c>.
/// </summary>
internal static class DreamLoss
{
    public static string Emit(GraphBuilder b, BackwardPass backward, string activation, float weight,
        IReadOnlyList<int>? channels, long channelCount)
    {
        var selected = activation;
        var fraction = 1f;
        if (channels is { Count: > 0 })
        {
            var mask = new float[channelCount];
            foreach (var c in channels)
            {
                if (c < 0 || c >= channelCount)
                {
                    throw new GraphCompilationException($"Channel {c} is out of range: the tap has {channelCount} channels.");
                }
                mask[c] = 1f;
            }
            fraction = (float)mask.Count(m => m > 0) / channelCount;
            selected = b.Mul(activation, b.ConstFloat(mask, [1, channelCount, 1, 1], "channel_mask"), "dream_selected");
        }
        var count = CountOf(b, activation);
        if (fraction != 1f) count = b.Mul(count, b.Scalar(fraction), "dream_count");
        var sumSquares = b.Add("ReduceSum", [b.Mul(selected, selected, "dream_sq")], "dream_sum", Attr.Int("keepdims", 0));
        var term = b.Mul(b.Add("Div", [sumSquares, count], "dream_mean"), b.Scalar(weight), "dream_term");
        var gradScale = b.Add("Div", [b.Scalar(2f * weight), count], "dream_grad_scale");
        backward.Seed(activation, b.Mul(selected, gradScale, "dream_seed"));
        return term;
    }

    /// <summary>Number of elements of a tensor as a float scalar.</summary>
    public static string CountOf(GraphBuilder b, string tensor) =>
        b.Add("Cast", [b.Add("ReduceProd", [b.ShapeOf(tensor)], "numel", Attr.Int("keepdims", 0))], "numel_f",
            Attr.Int("to", Tensors.FloatType));
}
