using Onnx;

namespace NeuralArt.Graphs.Onnx;

/// <summary>
/// A mutable ONNX graph under construction: nodes in topological order, initializers, and a name
/// generator. Forward surgery, objectives and the backward pass all append to one builder.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public List<NodeProto> Nodes { get; } = [];

    public Dictionary<string, TensorProto> Initializers { get; } = new(StringComparer.Ordinal);

    /// <summary>Reserves names already used by the source graph so generated names never collide.</summary>
    public void Reserve(IEnumerable<string> names)
    {
        foreach (var n in names) _names.Add(n);
    }

    public string Fresh(string hint)
    {
        string name;
        do name = $"{hint}__{_counter++}"; while (!_names.Add(name));
        return name;
    }

    public bool IsInitializer(string name) => Initializers.ContainsKey(name);

    /// <summary>Appends a node with one output and returns that output's name.</summary>
    public string Add(string op, IReadOnlyList<string> inputs, string hint, params AttributeProto[] attributes) =>
        AddMulti(op, inputs, 1, hint, attributes)[0];

    /// <summary>Appends a node with one output of a given name.</summary>
    public string AddNamed(string op, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes)
    {
        _names.Add(output);
        var node = new NodeProto { OpType = op, Name = Fresh(op) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Nodes.Add(node);
        return output;
    }

    public string[] AddMulti(string op, IReadOnlyList<string> inputs, int outputs, string hint, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh(op) };
        node.Input.AddRange(inputs);
        var names = new string[outputs];
        for (var i = 0; i < outputs; i++)
        {
            names[i] = Fresh(hint);
            node.Output.Add(names[i]);
        }
        node.Attribute.AddRange(attributes);
        Nodes.Add(node);
        return names;
    }

    public string ConstFloat(ReadOnlySpan<float> values, ReadOnlySpan<long> dims, string hint)
    {
        var name = Fresh(hint);
        Initializers[name] = Tensors.Float(name, dims, values);
        return name;
    }

    public string Scalar(float value, string hint = "scalar") => ConstFloat([value], [], hint);

    public string ConstInt64(ReadOnlySpan<long> values, string hint = "ints") =>
        ConstInt64(values, [values.Length], hint);

    public string ConstInt64(ReadOnlySpan<long> values, ReadOnlySpan<long> dims, string hint)
    {
        var name = Fresh(hint);
        Initializers[name] = Tensors.Int64(name, dims, values);
        return name;
    }

    // Small helpers for ops used all over the backward rules.
    public string Mul(string a, string b, string hint = "mul") => Add("Mul", [a, b], hint);

    /// <summary>
    /// The sum of <paramref name="terms"/> as a chain of <c>Add</c>s, <c>((t0 + t1) + t2) ...</c>: the
    /// order in which <c>Sum</c> adds, so the values are the same, but ONNX Runtime runs <c>Add</c> on
    /// every thread and <c>Sum</c> on one.
    /// </summary>
    public string Sum(IReadOnlyList<string> terms, string hint = "sum")
    {
        ArgumentOutOfRangeException.ThrowIfZero(terms.Count);
        var total = terms[0];
        for (var i = 1; i < terms.Count; i++) total = Add("Add", [total, terms[i]], hint);
        return total;
    }

    /// <summary><c>Shape(x)[start:end]</c> as an int64 tensor (opset 15 Shape with start/end).</summary>
    public string ShapeOf(string x, long? start = null, long? end = null)
    {
        var attributes = new List<AttributeProto>();
        if (start is { } s) attributes.Add(Attr.Int("start", s));
        if (end is { } e) attributes.Add(Attr.Int("end", e));
        return Add("Shape", [x], "shape", [.. attributes]);
    }

    /// <summary>
    /// Crops <paramref name="x"/> on the spatial axes (2 and 3) to the spatial size of
    /// <paramref name="like"/>, starting at <paramref name="offset"/> (zeros by default).
    /// </summary>
    public string CropSpatialTo(string x, string like, string hint = "crop", long[]? offset = null)
    {
        offset ??= [0, 0];
        var starts = ConstInt64(offset);
        var ends = ShapeOf(like, 2, 4);
        if (offset.Any(o => o != 0)) ends = Add("Add", [ends, starts], hint + "_end");
        return Add("Slice", [x, starts, ends, ConstInt64([2, 3])], hint);
    }

    /// <summary>
    /// ConvTranspose whose first outputs are the adjoint of a forward with pads
    /// <paramref name="pads"/>, cropped to <paramref name="like"/>'s size. The CUDA provider sends
    /// ConvTranspose with asymmetric pads to the CPU, so it runs with the smaller pad of each axis
    /// on both sides and output_padding s-1, and the crop starts at the difference: the same values.
    /// </summary>
    public string TransposedConvCropped(string dy, string weight, long[] kernel, long[] strides, long[] pads,
        long[] dilations, long group, string like, string hint)
    {
        var rank = kernel.Length;
        var symmetric = new long[rank * 2];
        var offset = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var p = Math.Min(pads[i], pads[i + rank]);
            symmetric[i] = symmetric[i + rank] = p;
            offset[i] = pads[i] - p;
        }
        var full = Add("ConvTranspose", [dy, weight], hint,
            Attr.Ints("kernel_shape", kernel), Attr.Ints("strides", strides), Attr.Ints("pads", symmetric),
            Attr.Ints("dilations", dilations), Attr.Int("group", group),
            Attr.Ints("output_padding", strides.Select(s => s - 1).ToArray()));
        return CropSpatialTo(full, like, hint + "_crop", offset);
    }
}
