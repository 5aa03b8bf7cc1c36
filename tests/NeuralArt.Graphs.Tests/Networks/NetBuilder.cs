using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace NeuralArt.Graphs.Tests.Networks;

/// <summary>
/// Builds small random-weight ONNX CNNs: input <c>x</c> float [1,3,H,W] with symbolic H and W,
/// weights as initializers drawn from a fixed seed (He-normal, so activations keep their scale).
/// </summary>
internal sealed class NetBuilder
{
    public const string InputName = "x";
    private const float BatchNormEpsilon = 1e-5f;

    private readonly GraphProto _graph = new();
    private readonly Random _random;
    private readonly long _opset;
    private readonly long _irVersion;
    private int _counter;

    public NetBuilder(string name, int seed, long opset = 13, long irVersion = 7)
    {
        _graph.Name = name;
        _random = new Random(seed);
        _opset = opset;
        _irVersion = irVersion;
        _graph.Input.Add(TensorInfo(InputName, ["1", "3", "H", "W"]));
    }

    public long Opset => _opset;

    /// <summary>Appends a node and returns its (first) output's name.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        NodeMulti(op, inputs, 1, attributes)[0];

    public string[] NodeMulti(string op, IReadOnlyList<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        var id = _counter++;
        var node = new NodeProto { OpType = op, Name = $"{op.ToLowerInvariant()}{id}" };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(o => $"{op.ToLowerInvariant()}{id}_out{o}").ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return names;
    }

    public string Initializer(string hint, long[] dims, float[] values)
    {
        var name = $"{hint}_{_counter++}";
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(t);
        if (_irVersion < 4) _graph.Input.Add(TensorInfo(name, dims.Select(d => d.ToString()).ToArray(), fixedDims: dims));
        return name;
    }

    public string Int64Initializer(string hint, long[] values)
    {
        var name = $"{hint}_{_counter++}";
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(t);
        return name;
    }

    public string Scalar(string hint, float value) => Initializer(hint, [], [value]);

    public float[] Normal(int count, double std)
    {
        var v = new float[count];
        for (var i = 0; i < count; i++)
        {
            // Box-Muller: two uniforms to one standard normal.
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            v[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    public float[] Uniform(int count, double lo, double hi) =>
        Enumerable.Range(0, count).Select(_ => (float)(lo + (hi - lo) * _random.NextDouble())).ToArray();

    // ---- layers ----

    public string Conv(string x, int cin, int cout, int[] kernel, int[]? strides = null, int[]? pads = null,
        int[]? dilations = null, int group = 1, bool bias = true)
    {
        var fanIn = cin / group * kernel[0] * kernel[1];
        var w = Initializer("w", [cout, cin / group, kernel[0], kernel[1]], Normal(cout * fanIn, Math.Sqrt(2.0 / fanIn)));
        var inputs = new List<string> { x, w };
        if (bias) inputs.Add(Initializer("b", [cout], Normal(cout, 0.1)));
        var attrs = new List<AttributeProto> { Ints("kernel_shape", kernel) };
        if (strides is not null) attrs.Add(Ints("strides", strides));
        if (pads is not null) attrs.Add(Ints("pads", pads));
        if (dilations is not null) attrs.Add(Ints("dilations", dilations));
        if (group != 1) attrs.Add(Int("group", group));
        return Node("Conv", inputs, [.. attrs]);
    }

    public string BatchNorm(string x, int channels)
    {
        var scale = Initializer("bn_scale", [channels], Uniform(channels, 0.5, 1.5));
        var bias = Initializer("bn_bias", [channels], Normal(channels, 0.2));
        var mean = Initializer("bn_mean", [channels], Normal(channels, 0.3));
        var variance = Initializer("bn_var", [channels], Uniform(channels, 0.5, 2.0));
        var attrs = new List<AttributeProto> { Float("epsilon", BatchNormEpsilon) };
        if (_opset < 9) attrs.Add(Int("spatial", 1));
        return Node("BatchNormalization", [x, scale, bias, mean, variance], [.. attrs]);
    }

    public string Relu(string x) => Node("Relu", [x]);

    public string LeakyRelu(string x, float alpha) => Node("LeakyRelu", [x], Float("alpha", alpha));

    public string Clip(string x, float min, float max) =>
        _opset < 11
            ? Node("Clip", [x], Float("min", min), Float("max", max))
            : Node("Clip", [x, Scalar("clip_min", min), Scalar("clip_max", max)]);

    public string MaxPool(string x, int[] kernel, int[]? strides = null, int[]? pads = null, bool ceilMode = false)
    {
        var attrs = PoolAttributes(kernel, strides, pads);
        if (ceilMode) attrs.Add(Int("ceil_mode", 1));
        return Node("MaxPool", [x], [.. attrs]);
    }

    public string AveragePool(string x, int[] kernel, int[]? strides = null, int[]? pads = null, bool countIncludePad = false)
    {
        var attrs = PoolAttributes(kernel, strides, pads);
        if (countIncludePad) attrs.Add(Int("count_include_pad", 1));
        return Node("AveragePool", [x], [.. attrs]);
    }

    public string GlobalAveragePool(string x) => Node("GlobalAveragePool", [x]);

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string Sum(params string[] terms) => Node("Sum", terms);

    public string Sub(string a, string b) => Node("Sub", [a, b]);

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Concat(params string[] parts) => Node("Concat", parts, Int("axis", 1));

    /// <summary>Constant pad; <paramref name="pads"/> in ONNX order [n_b, c_b, h_b, w_b, n_e, c_e, h_e, w_e].</summary>
    public string Pad(string x, long[] pads, float value) =>
        _opset < 11
            ? Node("Pad", [x], Ints("pads", pads.Select(p => (int)p).ToArray()), Float("value", value), String("mode", "constant"))
            : Node("Pad", [x, Int64Initializer("pads", pads), Scalar("pad_value", value)], String("mode", "constant"));

    public string Lrn(string x, int size, float alpha, float beta, float bias) =>
        Node("LRN", [x], Int("size", size), Float("alpha", alpha), Float("beta", beta), Float("bias", bias));

    public string Identity(string x) => Node("Identity", [x]);

    /// <summary>Inference Dropout; with <paramref name="withMask"/> the node also declares its mask output.</summary>
    public string Dropout(string x, bool withMask = false) =>
        _opset < 12
            ? NodeMulti("Dropout", [x], withMask ? 2 : 1, Float("ratio", 0.3f))[0]
            : NodeMulti("Dropout", [x, Scalar("ratio", 0.3f)], withMask ? 2 : 1)[0];

    // ---- the model ----

    /// <summary>
    /// The model, with <paramref name="outputs"/> (tap tensors) declared as graph outputs so that the
    /// original network can also run on ONNX Runtime directly.
    /// </summary>
    public ModelProto Build(IEnumerable<string> outputs)
    {
        var graph = _graph.Clone();
        foreach (var o in outputs.Distinct()) graph.Output.Add(TensorInfo(o, null));
        var model = new ModelProto
        {
            IrVersion = _irVersion,
            ProducerName = "NeuralArt.Graphs.Tests",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        return model;
    }

    private List<AttributeProto> PoolAttributes(int[] kernel, int[]? strides, int[]? pads)
    {
        var attrs = new List<AttributeProto> { Ints("kernel_shape", kernel) };
        if (strides is not null) attrs.Add(Ints("strides", strides));
        if (pads is not null) attrs.Add(Ints("pads", pads));
        return attrs;
    }

    private static ValueInfoProto TensorInfo(string name, string[]? dims, long[]? fixedDims = null)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (dims is not null)
        {
            tensor.Shape = new TensorShapeProto();
            for (var i = 0; i < dims.Length; i++)
            {
                var dim = new TensorShapeProto.Types.Dimension();
                if (fixedDims is not null) dim.DimValue = fixedDims[i];
                else if (long.TryParse(dims[i], out var v)) dim.DimValue = v;
                else dim.DimParam = dims[i];
                tensor.Shape.Dim.Add(dim);
            }
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, int[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values.Select(v => (long)v));
        return a;
    }
}
