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
    public string Sum(IReadOnlyList<string> terms, string hint = "sum") =>
        terms.Count == 1 ? terms[0] : Add("Sum", terms, hint);

    /// <summary><c>Shape(x)[start:end]</c> as an int64 tensor (opset 15 Shape with start/end).</summary>
    public string ShapeOf(string x, long? start = null, long? end = null)
    {
        var attributes = new List<AttributeProto>();
        if (start is { } s) attributes.Add(Attr.Int("start", s));
        if (end is { } e) attributes.Add(Attr.Int("end", e));
        return Add("Shape", [x], "shape", [.. attributes]);
    }

    /// <summary>Crops <paramref name="x"/> on the spatial axes to the spatial size of <paramref name="like"/>.</summary>
    public string CropSpatialTo(string x, string like, string hint = "crop")
    {
        var ends = ShapeOf(like, 2, 4);
        return Add("Slice", [x, ConstInt64([0, 0]), ends, ConstInt64([2, 3])], hint);
    }
}
