using System.Text.Json;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Import;

/// <summary>
/// Writes one Keras layer as ONNX nodes reading <paramref name="inputs"/> (NCHW) and ending in the
/// tensor <paramref name="output"/>.
/// </summary>
internal delegate void LayerConverter(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context);

/// <summary>What a layer converter sees: the graph under construction and the model's weights.</summary>
internal sealed class LayerContext(GraphBuilder builder, TfjsModel model)
{
    public GraphBuilder Builder { get; } = builder;

    public float[] Weight(KerasLayer layer, string parameter, long[] expectedShape) =>
        OptionalWeight(layer, parameter, expectedShape)
        ?? throw new GraphCompilationException($"Layer '{layer.Name}' ({layer.ClassName}) has no weight '{parameter}'.");

    public float[]? OptionalWeight(KerasLayer layer, string parameter, long[]? expectedShape = null)
    {
        if (model.Weight(layer.Name, parameter) is not { } weight) return null;
        if (expectedShape is not null && !weight.Shape.SequenceEqual(expectedShape))
        {
            throw new GraphCompilationException(
                $"Layer '{layer.Name}': weight '{parameter}' has shape [{string.Join(",", weight.Shape)}], expected [{string.Join(",", expectedShape)}].");
        }
        return weight.Values;
    }

    public long[] WeightShape(KerasLayer layer, string parameter) =>
        model.Weight(layer.Name, parameter)?.Shape
        ?? throw new GraphCompilationException($"Layer '{layer.Name}' ({layer.ClassName}) has no weight '{parameter}'.");
}

/// <summary>
/// The Keras layers the importer knows, by class name, and the activations they may carry. NHWC
/// kernels become NCHW ones; Keras axes over (batch, height, width, channels) become ONNX's over
/// (batch, channels, height, width).
/// </summary>
internal static class KerasLayerConverters
{
    private static readonly Dictionary<string, LayerConverter> Converters = new(StringComparer.Ordinal)
    {
        ["Conv2D"] = Conv2D,
        ["DepthwiseConv2D"] = DepthwiseConv2D,
        ["BatchNormalization"] = BatchNormalization,
        ["Activation"] = (layer, inputs, output, context) =>
            Activate(context, inputs[0], Config.String(layer, "activation"), output, layer),
        ["ReLU"] = Relu,
        ["MaxPooling2D"] = (layer, inputs, output, context) => Pool("MaxPool", layer, inputs, output, context),
        ["AveragePooling2D"] = (layer, inputs, output, context) => Pool("AveragePool", layer, inputs, output, context),
        ["GlobalAveragePooling2D"] = GlobalAveragePooling2D,
        ["ZeroPadding2D"] = ZeroPadding2D,
        ["Concatenate"] = (layer, inputs, output, context) =>
            context.Builder.AddNamed("Concat", inputs, output, Attr.Int("axis", OnnxAxis(Config.Int(layer, "axis", -1), layer))),
        ["Add"] = (layer, inputs, output, context) =>
            context.Builder.AddNamed(inputs.Count == 2 ? "Add" : "Sum", inputs, output),
        ["Dense"] = Dense,
        ["Flatten"] = Flatten,
        ["Dropout"] = Identity,
        ["SpatialDropout2D"] = Identity,
    };

    /// <summary>Keras activations as ONNX ops (written into <c>output</c>).</summary>
    private static readonly Dictionary<string, Action<GraphBuilder, string, string>> Activations = new(StringComparer.Ordinal)
    {
        ["linear"] = (b, x, output) => b.AddNamed("Identity", [x], output),
        ["relu"] = (b, x, output) => b.AddNamed("Relu", [x], output),
        ["relu6"] = (b, x, output) => b.AddNamed("Clip", [x, b.Scalar(0f, "relu6_min"), b.Scalar(Relu6Max, "relu6_max")], output),
        // Heads: the classifier's probabilities (rank 2 after Dense, so axis 1 is the class axis).
        ["softmax"] = (b, x, output) => b.AddNamed("Softmax", [x], output, Attr.Int("axis", 1)),
        ["sigmoid"] = (b, x, output) => b.AddNamed("Sigmoid", [x], output),
    };

    private const float Relu6Max = 6f;
    private const int KerasChannelAxis = 3;
    private const int KerasRank = 4;

    public static IReadOnlyCollection<string> Supported => Converters.Keys;

    /// <summary>Layers whose output is a complete feature map worth tapping.</summary>
    public static bool IsTapCandidate(KerasLayer layer) =>
        layer.ClassName is "Concatenate" or "Add" or "ReLU"
        || (layer.ClassName == "Activation" && Config.String(layer, "activation") != "linear")
        || (layer.ClassName is "Conv2D" or "DepthwiseConv2D" && Config.String(layer, "activation") is "relu" or "relu6");

    public static LayerConverter For(KerasLayer layer) =>
        Converters.TryGetValue(layer.ClassName, out var converter)
            ? converter
            : throw new GraphCompilationException(
                $"Layer '{layer.Name}' is a {layer.ClassName}, which the TF.js importer does not support. " +
                $"Supported: {string.Join(", ", Converters.Keys.Order())}.");

    private static void Conv2D(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        var shape = context.WeightShape(layer, "kernel"); // [kh, kw, cin/groups, cout]
        var kernel = context.Weight(layer, "kernel", shape);
        var (kh, kw, cinPerGroup, cout) = (shape[0], shape[1], shape[2], shape[3]);
        var w = new float[kernel.Length];
        for (var y = 0; y < kh; y++)
        for (var x = 0; x < kw; x++)
        for (var ci = 0; ci < cinPerGroup; ci++)
        for (var co = 0; co < cout; co++)
        {
            w[((co * cinPerGroup + ci) * kh + y) * kw + x] = kernel[((y * kw + x) * cinPerGroup + ci) * cout + co];
        }
        var groups = Config.Int(layer, "groups", 1);
        ConvolutionNode(layer, inputs[0], w, [cout, cinPerGroup, kh, kw], cout, groups, output, context);
    }

    /// <summary>Depthwise kernel [kh, kw, cin, m]: output channel <c>c*m + j</c> reads input channel c (ONNX group = cin).</summary>
    private static void DepthwiseConv2D(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        var shape = context.WeightShape(layer, "depthwise_kernel");
        var kernel = context.Weight(layer, "depthwise_kernel", shape);
        var (kh, kw, cin, multiplier) = (shape[0], shape[1], shape[2], shape[3]);
        var w = new float[kernel.Length];
        for (var y = 0; y < kh; y++)
        for (var x = 0; x < kw; x++)
        for (var c = 0; c < cin; c++)
        for (var j = 0; j < multiplier; j++)
        {
            w[((c * multiplier + j) * kh + y) * kw + x] = kernel[((y * kw + x) * cin + c) * multiplier + j];
        }
        ConvolutionNode(layer, inputs[0], w, [cin * multiplier, 1, kh, kw], cin * multiplier, cin, output, context);
    }

    private static void ConvolutionNode(KerasLayer layer, string x, float[] w, long[] dims, long cout, long groups, string output, LayerContext context)
    {
        var b = context.Builder;
        long[] kernel = [dims[2], dims[3]];
        var strides = Config.Pair(layer, "strides", 1);
        var dilations = Config.Pair(layer, "dilation_rate", 1);
        var pads = KerasPadding.Pads(Config.String(layer, "padding"), kernel, strides, dilations, layer.Name);
        var inputs = new List<string> { x, b.ConstFloat(w, dims, layer.Name + "_kernel") };
        if (Config.Bool(layer, "use_bias", true))
        {
            inputs.Add(b.ConstFloat(context.Weight(layer, "bias", [cout]), [cout], layer.Name + "_bias"));
        }
        var attributes = new[]
        {
            Attr.Ints("kernel_shape", kernel), Attr.Ints("strides", strides), Attr.Ints("dilations", dilations),
            Attr.Ints("pads", pads), Attr.Int("group", groups),
        };
        Finish(context, "Conv", inputs, attributes, Config.String(layer, "activation") ?? "linear", output, layer);
    }

    private static void BatchNormalization(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        // axis: -1 or 3 (channels), written as a number or a one-element list.
        var axis = layer.Config.GetProperty("axis");
        var single = axis.ValueKind == JsonValueKind.Array && axis.GetArrayLength() == 1 ? axis[0] : axis;
        if (single.ValueKind != JsonValueKind.Number || single.GetInt32() is not (-1 or KerasChannelAxis))
        {
            throw new GraphCompilationException($"Layer '{layer.Name}': BatchNormalization over axis {axis} is not supported (channels only).");
        }
        var channels = context.WeightShape(layer, "moving_mean")[0];
        long[] shape = [channels];
        var gamma = context.OptionalWeight(layer, "gamma", shape) ?? Enumerable.Repeat(1f, (int)channels).ToArray();
        var beta = context.OptionalWeight(layer, "beta", shape) ?? new float[channels];
        var b = context.Builder;
        b.AddNamed("BatchNormalization",
            [inputs[0], b.ConstFloat(gamma, shape, layer.Name + "_gamma"), b.ConstFloat(beta, shape, layer.Name + "_beta"),
             b.ConstFloat(context.Weight(layer, "moving_mean", shape), shape, layer.Name + "_mean"),
             b.ConstFloat(context.Weight(layer, "moving_variance", shape), shape, layer.Name + "_variance")],
            output, Attr.Float("epsilon", (float)Config.Double(layer, "epsilon", KerasBatchNormEpsilon)));
    }

    /// <summary>Keras' BatchNormalization default.</summary>
    private const double KerasBatchNormEpsilon = 1e-3;

    private static void Relu(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        var b = context.Builder;
        if (Config.Double(layer, "threshold", 0) != 0)
        {
            throw new GraphCompilationException($"Layer '{layer.Name}': ReLU with a threshold is not supported.");
        }
        var slope = Config.Double(layer, "negative_slope", 0);
        if (slope != 0)
        {
            if (Config.Has(layer, "max_value")) throw new GraphCompilationException($"Layer '{layer.Name}': ReLU with both a slope and a maximum is not supported.");
            b.AddNamed("LeakyRelu", [inputs[0]], output, Attr.Float("alpha", (float)slope));
            return;
        }
        if (Config.Has(layer, "max_value"))
        {
            b.AddNamed("Clip", [inputs[0], b.Scalar(0f, "relu_min"), b.Scalar((float)Config.Double(layer, "max_value", 0), "relu_max")], output);
            return;
        }
        b.AddNamed("Relu", [inputs[0]], output);
    }

    private static void Pool(string op, KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        var kernel = Config.Pair(layer, "pool_size", 2);
        var strides = Config.Has(layer, "strides") ? Config.Pair(layer, "strides", 1) : kernel;
        var pads = KerasPadding.Pads(Config.String(layer, "padding"), kernel, strides, [1, 1], layer.Name);
        // TensorFlow's average pool divides by the real pixels of each window (padding not counted): ONNX's default.
        context.Builder.AddNamed(op, inputs, output, Attr.Ints("kernel_shape", kernel), Attr.Ints("strides", strides), Attr.Ints("pads", pads));
    }

    private static void GlobalAveragePooling2D(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        var b = context.Builder;
        if (Config.Bool(layer, "keepdims", false))
        {
            b.AddNamed("GlobalAveragePool", inputs, output);
            return;
        }
        b.AddNamed("Flatten", [b.Add("GlobalAveragePool", inputs, layer.Name + "_pooled")], output, Attr.Int("axis", 1));
    }

    private static void ZeroPadding2D(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        // padding: n, [h, w], or [[top, bottom], [left, right]].
        var p = layer.Config.GetProperty("padding");
        long top, bottom, left, right;
        if (p.ValueKind == JsonValueKind.Number) top = bottom = left = right = p.GetInt64();
        else if (p[0].ValueKind == JsonValueKind.Number) { top = bottom = p[0].GetInt64(); left = right = p[1].GetInt64(); }
        else { top = p[0][0].GetInt64(); bottom = p[0][1].GetInt64(); left = p[1][0].GetInt64(); right = p[1][1].GetInt64(); }
        var b = context.Builder;
        b.AddNamed("Pad", [inputs[0], b.ConstInt64([0, 0, top, left, 0, 0, bottom, right], layer.Name + "_pads"), b.Scalar(0f, "pad_value")],
            output, Attr.String("mode", "constant"));
    }

    private static void Dense(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        var b = context.Builder;
        var shape = context.WeightShape(layer, "kernel"); // [in, out]: Gemm's B as is.
        var gemmInputs = new List<string> { inputs[0], b.ConstFloat(context.Weight(layer, "kernel", shape), shape, layer.Name + "_kernel") };
        if (Config.Bool(layer, "use_bias", true))
        {
            gemmInputs.Add(b.ConstFloat(context.Weight(layer, "bias", [shape[1]]), [shape[1]], layer.Name + "_bias"));
        }
        Finish(context, "Gemm", gemmInputs, [], Config.String(layer, "activation") ?? "linear", output, layer);
    }

    /// <summary>Keras flattens NHWC: transpose back to it first, so Dense weights see their order.</summary>
    private static void Flatten(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context)
    {
        var b = context.Builder;
        var nhwc = b.Add("Transpose", inputs, layer.Name + "_nhwc", Attr.Ints("perm", [0, 2, 3, 1]));
        b.AddNamed("Flatten", [nhwc], output, Attr.Int("axis", 1));
    }

    private static void Identity(KerasLayer layer, IReadOnlyList<string> inputs, string output, LayerContext context) =>
        context.Builder.AddNamed("Identity", inputs, output);

    /// <summary>The op, then its activation; a linear one writes the op straight into the output.</summary>
    private static void Finish(LayerContext context, string op, List<string> inputs, global::Onnx.AttributeProto[] attributes, string activation,
        string output, KerasLayer layer)
    {
        var b = context.Builder;
        if (activation == "linear")
        {
            b.AddNamed(op, inputs, output, attributes);
            return;
        }
        Activate(context, b.Add(op, inputs, layer.Name + "_preactivation", attributes), activation, output, layer);
    }

    private static void Activate(LayerContext context, string x, string? activation, string output, KerasLayer layer)
    {
        var name = activation ?? "linear";
        if (!Activations.TryGetValue(name, out var emit))
        {
            throw new GraphCompilationException(
                $"Layer '{layer.Name}': activation '{name}' is not supported. Supported: {string.Join(", ", Activations.Keys.Order())}.");
        }
        emit(context.Builder, x, output);
    }

    /// <summary>A Keras NHWC axis (batch first, negative from the end) as the NCHW axis.</summary>
    private static long OnnxAxis(long kerasAxis, KerasLayer layer)
    {
        var axis = kerasAxis < 0 ? kerasAxis + KerasRank : kerasAxis;
        return axis switch
        {
            0 => 0,
            1 => 2,
            2 => 3,
            KerasChannelAxis => 1,
            _ => throw new GraphCompilationException($"Layer '{layer.Name}': axis {kerasAxis} of a rank-4 tensor is out of range."),
        };
    }

    /// <summary>Reading Keras layer configs.</summary>
    private static class Config
    {
        public static bool Has(KerasLayer layer, string key) =>
            layer.Config.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

        public static string? String(KerasLayer layer, string key) =>
            layer.Config.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        public static long Int(KerasLayer layer, string key, long fallback) =>
            Has(layer, key) ? layer.Config.GetProperty(key).GetInt64() : fallback;

        public static double Double(KerasLayer layer, string key, double fallback) =>
            Has(layer, key) ? layer.Config.GetProperty(key).GetDouble() : fallback;

        public static bool Bool(KerasLayer layer, string key, bool fallback) =>
            Has(layer, key) ? layer.Config.GetProperty(key).GetBoolean() : fallback;

        /// <summary>An int or a pair of ints (Keras' (height, width) arguments), as a pair.</summary>
        public static long[] Pair(KerasLayer layer, string key, long fallback)
        {
            if (!Has(layer, key)) return [fallback, fallback];
            var v = layer.Config.GetProperty(key);
            return v.ValueKind == JsonValueKind.Number ? [v.GetInt64(), v.GetInt64()] : v.EnumerateArray().Select(e => e.GetInt64()).ToArray();
        }
    }
}
