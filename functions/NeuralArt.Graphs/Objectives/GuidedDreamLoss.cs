using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Objectives;

/// <summary>
/// Emits the guided-dream objective for one tap: each position x of the image's activations A
/// picks the guide position y whose feature vector has the largest dot product with A(x);
/// <c>loss = w * sum_x max_y &lt;A(x), G(y)&gt; / N</c> with N the number of positions of A
/// (a mean over positions), and its gradient at A(x) is <c>w * G(y*) / N</c> (the argmax is
/// piecewise constant). The weight is a scalar graph input.
/// </summary>
internal static class GuidedDreamLoss
{
    public static string Emit(GraphBuilder b, BackwardPass backward, string activation, string guide, string weight)
    {
        var flatten = b.ConstInt64([0, 0, -1]);
        var a = b.Add("Reshape", [activation, flatten], "guided_a");              // [1, C, HW]
        var g = b.Add("Reshape", [guide, flatten], "guided_g");                   // [1, C, M]
        var aT = b.Add("Transpose", [a], "guided_at", Attr.Ints("perm", [0, 2, 1])); // [1, HW, C]
        var dots = b.Add("MatMul", [aT, g], "guided_dots");                       // [1, HW, M]
        var best = b.Add("ReduceMax", [dots], "guided_best", Attr.Ints("axes", [2]), Attr.Int("keepdims", 0));
        var index = b.Add("ArgMax", [dots], "guided_index", Attr.Int("axis", 2), Attr.Int("keepdims", 0)); // [1, HW]
        var axis0 = b.ConstInt64([0]);
        var gRows = b.Add("Squeeze", [b.Add("Transpose", [g], "guided_gt", Attr.Ints("perm", [0, 2, 1])), axis0], "guided_rows"); // [M, C]
        var matched = b.Add("Gather", [gRows, b.Add("Squeeze", [index, axis0], "guided_idx")], "guided_matched", Attr.Int("axis", 0)); // [HW, C]
        var matchedNchw = b.Add("Reshape",
            [b.Add("Unsqueeze", [b.Add("Transpose", [matched], "guided_mt", Attr.Ints("perm", [1, 0])), axis0], "guided_m3"),
             b.ShapeOf(activation)], "guided_target");
        var positions = b.Add("Cast", [b.Add("ReduceProd", [b.ShapeOf(activation, 2)], "positions", Attr.Int("keepdims", 0))],
            "positions_f", Attr.Int("to", Tensors.FloatType));
        var scale = b.Add("Div", [weight, positions], "guided_scale");
        backward.Seed(activation, b.Mul(matchedNchw, scale, "guided_seed"));
        var total = b.Add("ReduceSum", [best], "guided_sum", Attr.Int("keepdims", 0));
        return b.Mul(total, scale, "guided_term");
    }
}
