using Google.Protobuf;
using Onnx;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// Two tiny ONNX graphs that do the DeepDream step's pixel math where the tensors live (on the GPU
/// with CUDA), so that within a chunk the image never leaves the device:
/// <list type="bullet">
/// <item><c>roll</c>: <c>rolled = roll(image, shift_h, shift_w)</c> (numpy.roll on H and W);</item>
/// <item><c>ascend</c>: <c>g = roll(grad, shift_h, shift_w)</c>,
/// <c>next = clip(image + step * g / (mean|g| + eps), 0, 1)</c>.</item>
/// </list>
/// Shifts are int64 [1] in [0, size); a roll is two Slices and a Concat per axis. Opset 17, ops
/// that ONNX Runtime implements for both the CPU and the CUDA providers.
/// </summary>
internal static class StepGraphs
{
    public const string Image = "image";
    public const string Grad = "grad";
    public const string ShiftH = "shift_h";
    public const string ShiftW = "shift_w";
    public const string Step = "step";
    public const string Rolled = "rolled";
    public const string Next = "next";

    /// <summary>Keeps the normalization finite where the gradient vanishes.</summary>
    public const float Epsilon = 1e-12f;

    private const long Opset = 17;
    private const int HeightAxis = 2;
    private const int WidthAxis = 3;

    public static byte[] Roll()
    {
        var g = new GraphProto { Name = "neuralart-roll" };
        g.Input.Add(ImageInfo(Image));
        g.Input.Add(ShiftInfo(ShiftH));
        g.Input.Add(ShiftInfo(ShiftW));
        AddConstants(g);
        var rolledH = AddRoll(g, Image, ShiftH, HeightAxis, "h");
        var rolled = AddRoll(g, rolledH, ShiftW, WidthAxis, "w");
        Node(g, "Identity", [rolled], Rolled);
        g.Output.Add(ImageInfo(Rolled));
        return Model(g);
    }

    public static byte[] Ascend()
    {
        var g = new GraphProto { Name = "neuralart-ascend" };
        g.Input.Add(ImageInfo(Image));
        g.Input.Add(ImageInfo(Grad));
        g.Input.Add(ShiftInfo(ShiftH));
        g.Input.Add(ShiftInfo(ShiftW));
        g.Input.Add(new ValueInfoProto { Name = Step, Type = TensorType(TensorProto.Types.DataType.Float, [Dim(1)]) });
        AddConstants(g);
        g.Initializer.Add(FloatScalar("epsilon", Epsilon));
        g.Initializer.Add(FloatScalar("zero", 0f));
        g.Initializer.Add(FloatScalar("one", 1f));
        var gh = AddRoll(g, Grad, ShiftH, HeightAxis, "gh");
        var unrolled = AddRoll(g, gh, ShiftW, WidthAxis, "gw");
        Node(g, "Abs", [unrolled], "abs");
        Node(g, "ReduceMean", ["abs"], "mean_abs", Int("keepdims", 0));
        Node(g, "Add", ["mean_abs", "epsilon"], "denominator");
        Node(g, "Div", [Step, "denominator"], "scale");
        Node(g, "Mul", [unrolled, "scale"], "update");
        Node(g, "Add", [Image, "update"], "moved");
        Node(g, "Clip", ["moved", "zero", "one"], Next);
        g.Output.Add(ImageInfo(Next));
        return Model(g);
    }

    /// <summary>numpy.roll along one axis by <paramref name="shift"/> in [0, n): <c>concat(x[n-s:], x[:n-s])</c>.</summary>
    private static string AddRoll(GraphProto g, string x, string shift, int axis, string tag)
    {
        Node(g, "Shape", [x], $"{tag}_n", Int("start", axis), Int("end", axis + 1));
        Node(g, "Sub", [$"{tag}_n", shift], $"{tag}_cut");
        var axes = axis == HeightAxis ? "axis_h" : "axis_w";
        Node(g, "Slice", [x, $"{tag}_cut", $"{tag}_n", axes], $"{tag}_tail");
        Node(g, "Slice", [x, "zero_i", $"{tag}_cut", axes], $"{tag}_head");
        Node(g, "Concat", [$"{tag}_tail", $"{tag}_head"], $"{tag}_rolled", Int("axis", axis));
        return $"{tag}_rolled";
    }

    private static void AddConstants(GraphProto g)
    {
        g.Initializer.Add(Int64s("zero_i", [0]));
        g.Initializer.Add(Int64s("axis_h", [HeightAxis]));
        g.Initializer.Add(Int64s("axis_w", [WidthAxis]));
    }

    private static byte[] Model(GraphProto g)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralArt.Engine", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private static void Node(GraphProto g, string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output + "_node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        g.Node.Add(node);
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static TensorProto Int64s(string name, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    private static TensorProto FloatScalar(string name, float value)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.FloatData.Add(value);
        return t;
    }

    private static ValueInfoProto ImageInfo(string name) =>
        new() { Name = name, Type = TensorType(TensorProto.Types.DataType.Float, [Dim(1), Dim(3), Param("H"), Param("W")]) };

    private static ValueInfoProto ShiftInfo(string name) =>
        new() { Name = name, Type = TensorType(TensorProto.Types.DataType.Int64, [Dim(1)]) };

    private static TypeProto TensorType(TensorProto.Types.DataType type, TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } };
    }

    private static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    private static TensorShapeProto.Types.Dimension Param(string name) => new() { DimParam = name };
}
