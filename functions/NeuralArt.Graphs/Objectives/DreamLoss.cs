using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Objectives;

/// <summary>
/// Emits the DeepDream objective for one tap, <c>w * sum(m A^2) / (N * sum(m) / C)</c> (the mean of
/// <c>A^2</c> over the channels the 0/1 mask <c>m</c> selects), and seeds its gradient
/// <c>2 w m A / (N sum(m) / C)</c>. The weight <c>w</c> and the mask <c>m</c> ([1,C,1,1]) are graph
/// inputs, so one graph serves every weight and channel selection; <c>m</c> may also be a single 1
/// ([1,1,1,1], broadcast: every channel). With an all-ones mask the
/// arithmetic is exactly the unmasked objective's (<c>A * 1</c> and <c>N * (C / C)</c> are exact).
/// </summary>
internal static class DreamLoss
{
    public static string Emit(GraphBuilder b, BackwardPass backward, string activation, string weight, string mask)
    {
        var selected = b.Mul(activation, mask, "dream_selected");
        // The selected fraction of channels, sum(m) / C with C the mask's length: the same float
        // division the compiler did when masks were constants, so results for existing parameters do
        // not move. Taken from the mask's own size so that a [1,1,1,1] mask of ones (every channel,
        // for taps whose channel count the compiler cannot infer) gives exactly 1.
        var fraction = b.Add("Div",
            [b.Add("ReduceSum", [mask], "dream_mask_sum", Attr.Int("keepdims", 0)), CountOf(b, mask)], "dream_fraction");
        var count = b.Mul(CountOf(b, activation), fraction, "dream_count");
        var sumSquares = b.Add("ReduceSum", [b.Mul(selected, selected, "dream_sq")], "dream_sum", Attr.Int("keepdims", 0));
        var term = b.Mul(b.Add("Div", [sumSquares, count], "dream_mean"), weight, "dream_term");
        var gradScale = b.Add("Div", [b.Mul(weight, b.Scalar(2f), "dream_two_w"), count], "dream_grad_scale");
        backward.Seed(activation, b.Mul(selected, gradScale, "dream_seed"));
        return term;
    }

    /// <summary>Number of elements of a tensor as a float scalar.</summary>
    public static string CountOf(GraphBuilder b, string tensor) =>
        b.Add("Cast", [b.Add("ReduceProd", [b.ShapeOf(tensor)], "numel", Attr.Int("keepdims", 0))], "numel_f",
            Attr.Int("to", Tensors.FloatType));
}
