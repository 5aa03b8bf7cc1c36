using Google.Protobuf;
using NeuralArt.Graphs.Objectives;
using Onnx;

namespace NeuralArt.Engine.Tests.TestSupport;

/// <summary>
/// Small hand-built ONNX graphs with the compiled graphs' interface, so the runtime and the dream
/// engine can be tested without the model compiler and in milliseconds. The toy network is
/// <c>r = Relu(Conv3x3(image))</c> with 4 channels; its objectives and exact backward passes are
/// written out by hand:
/// <list type="bullet">
/// <item>dream: <c>loss = s mean((m r)^2)</c>, <c>grad = ConvTranspose(2 s m^2 r [y&gt;0] / N, W)</c> with the
/// compiled graphs' inputs <c>dream_weight.toy</c> (w) and <c>dream_mask.toy</c> (m, [1,4,1,1]) and
/// <c>s = w C / sum(m)</c> (the mean over the selected channels)</item>
/// <item>guided: <c>loss = w mean(r * g)</c> with <c>g</c> the guide's per-channel mean, <c>grad = ConvTranspose(w g [y&gt;0] / N, W)</c></item>
/// <item>features: output <c>toy</c> = <c>r</c></item>
/// </list>
/// </summary>
internal static class ToyGraphs
{
    public const string Tap = "toy";
    public const int TapChannels = 4;
    private const long Opset = 17;
    private const int KernelSize = 3;
    private const int WeightSeed = 7;

    private static readonly Lazy<string> Folder = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "neuralart-engine-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "dream.onnx"), BuildDream(guided: false).ToByteArray());
        File.WriteAllBytes(Path.Combine(dir, "guided.onnx"), BuildDream(guided: true).ToByteArray());
        File.WriteAllBytes(Path.Combine(dir, "features.onnx"), BuildFeatures().ToByteArray());
        return dir;
    });

    public static string DreamPath => Path.Combine(Folder.Value, "dream.onnx");

    public static string GuidedPath => Path.Combine(Folder.Value, "guided.onnx");

    public static string FeaturesPath => Path.Combine(Folder.Value, "features.onnx");

    /// <summary>The toy dream graph's weight and all-channel mask inputs, for plain (unbound) runs.</summary>
    public static (string Name, float[] Data, long[] Shape)[] DreamInputs(float weight = 1f) =>
    [
        (DreamGraphNames.Weight(Tap), [weight], []),
        (DreamGraphNames.ChannelMask(Tap), Enumerable.Repeat(1f, TapChannels).ToArray(), [1, TapChannels, 1, 1]),
    ];

    /// <summary>The toy's convolution weights [4,3,3,3], fixed pseudo-random.</summary>
    public static float[] Weights()
    {
        var random = new Random(WeightSeed);
        var w = new float[TapChannels * 3 * KernelSize * KernelSize];
        for (var i = 0; i < w.Length; i++) w[i] = (float)(random.NextDouble() - 0.5);
        return w;
    }

    private static ModelProto BuildDream(bool guided)
    {
        var g = new GraphProto { Name = guided ? "toy-guided" : "toy-dream" };
        g.Input.Add(ImageInfo("image", "H", "W"));
        if (guided) g.Input.Add(ImageInfo("guide." + Tap, "gh", "gw", TapChannels));
        g.Input.Add(new ValueInfoProto { Name = DreamGraphNames.Weight(Tap), Type = FloatType([]) });
        if (!guided) g.Input.Add(new ValueInfoProto { Name = DreamGraphNames.ChannelMask(Tap), Type = FloatType([Dim(1), Dim(TapChannels), Dim(1), Dim(1)]) });
        AddForward(g);
        g.Initializer.Add(Scalar("two", 2f));
        g.Initializer.Add(Scalar("zero", 0f));
        Node(g, "Shape", ["r"], "r_shape");
        Node(g, "ReduceProd", ["r_shape"], "n_int", Int("keepdims", 0));
        Node(g, "Cast", ["n_int"], "n", Int("to", (long)TensorProto.Types.DataType.Float));
        Node(g, "Greater", ["y", "zero"], "positive");
        Node(g, "Cast", ["positive"], "mask", Int("to", (long)TensorProto.Types.DataType.Float));
        var weight = DreamGraphNames.Weight(Tap);
        if (guided)
        {
            Node(g, "Identity", [weight], "scale");
            Node(g, "ReduceMean", ["guide." + Tap], "gmean", Ints("axes", [2, 3]), Int("keepdims", 1));
            Node(g, "Mul", ["r", "gmean"], "rg");
            Node(g, "ReduceMean", ["rg"], "mean", Int("keepdims", 0));
            Node(g, "Mul", ["gmean", "mask"], "dr_unscaled");
        }
        else
        {
            var channelMask = DreamGraphNames.ChannelMask(Tap);
            g.Initializer.Add(Scalar("channels", TapChannels));
            Node(g, "ReduceSum", [channelMask], "selected", Int("keepdims", 0));
            Node(g, "Mul", [weight, "channels"], "w_c");
            Node(g, "Div", ["w_c", "selected"], "scale");
            Node(g, "Mul", ["r", channelMask], "rm");
            Node(g, "Mul", ["rm", "rm"], "r2");
            Node(g, "ReduceMean", ["r2"], "mean", Int("keepdims", 0));
            Node(g, "Mul", ["rm", channelMask], "rmm");
            Node(g, "Mul", ["rmm", "two"], "two_r");
            Node(g, "Mul", ["two_r", "mask"], "dr_unscaled");
        }
        Node(g, "Mul", ["mean", "scale"], "loss");
        Node(g, "Div", ["dr_unscaled", "n"], "dy_unscaled");
        Node(g, "Mul", ["dy_unscaled", "scale"], "dy");
        Node(g, "ConvTranspose", ["dy", "W"], "grad", Ints("pads", [1, 1, 1, 1]), Ints("kernel_shape", [KernelSize, KernelSize]));
        g.Output.Add(new ValueInfoProto { Name = "loss", Type = FloatType([]) });
        g.Output.Add(ImageInfo("grad", "H", "W"));
        return Model(g);
    }

    private static ModelProto BuildFeatures()
    {
        var g = new GraphProto { Name = "toy-features" };
        g.Input.Add(ImageInfo("image", "H", "W"));
        AddForward(g);
        Node(g, "Identity", ["r"], Tap);
        g.Output.Add(ImageInfo(Tap, "h", "w", TapChannels));
        return Model(g);
    }

    private static void AddForward(GraphProto g)
    {
        var w = new TensorProto { Name = "W", DataType = (int)TensorProto.Types.DataType.Float };
        w.Dims.AddRange([TapChannels, 3, KernelSize, KernelSize]);
        w.FloatData.AddRange(Weights());
        g.Initializer.Add(w);
        Node(g, "Conv", ["image", "W"], "y", Ints("pads", [1, 1, 1, 1]), Ints("kernel_shape", [KernelSize, KernelSize]));
        Node(g, "Relu", ["y"], "r");
    }

    private static ModelProto Model(GraphProto g)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralArt.Engine.Tests", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    private static void Node(GraphProto g, string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output + "_node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        g.Node.Add(node);
    }

    private static TensorProto Scalar(string name, float value)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.FloatData.Add(value);
        return t;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static ValueInfoProto ImageInfo(string name, string h, string w, int channels = 3) =>
        new() { Name = name, Type = FloatType([Dim(1), Dim(channels), Param(h), Param(w)]) };

    private static TypeProto FloatType(TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
    }

    private static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    private static TensorShapeProto.Types.Dimension Param(string name) => new() { DimParam = name };
}
