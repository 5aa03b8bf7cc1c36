using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Import;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using Onnx;
using static NeuralArt.Graphs.Tests.Import.KerasReference;

namespace NeuralArt.Graphs.Tests.Import;

/// <summary>
/// The TF.js importer on a small Keras model written here in the TF.js layout (model.json and two
/// weight shards, one kernel uint8-quantized, one bias float16), with every layer kind it supports:
/// the imported ONNX graph on ONNX Runtime against Keras' semantics evaluated independently in NHWC
/// (<see cref="KerasReference"/>). A transposed kernel, a padding on the wrong side, a mis-ordered
/// Flatten or depthwise channel, or a wrong dequantization shows as a mismatch.
/// </summary>
public sealed class TfjsImporterTests : IDisposable
{
    private const int H = 8, W = 10, InChannels = 3;

    /// <summary>float32 graph against the float64 reference, relative to each tensor's largest value.</summary>
    private const double Tolerance = 1e-5;

    private readonly string _folder = Directory.CreateTempSubdirectory("tfjs-import-").FullName;
    private readonly Random _random = new(7);
    private readonly List<(string Name, long[] Shape, double[] Values, string? Quantization, byte[] Bytes)> _weights = [];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Imported_graph_computes_what_keras_computes()
    {
        var modelJson = WriteModel(ExampleLayers());
        var import = TfjsImporter.Import(modelJson);
        Assert.Equal("input_1", import.Input);
        Assert.Equal(["dense_k", "dense_m"], import.Outputs);

        var x = Nhwc.Zeros(H, W, InChannels);
        for (var i = 0; i < x.Data.Length; i++) x.Data[i] = (float)_random.NextDouble();
        var expected = Evaluate(x);

        var model = import.Model.Clone();
        foreach (var tensor in new[] { "conv_a", "relu_e", "pool_g", "cat_i" }) model.Graph.Output.Add(new ValueInfoProto { Name = tensor });
        using var runner = new OrtRunner(model);
        var actual = runner.Run(import.Input, new OrtTensor(x.ToNchw().Select(v => (float)v).ToArray(), [1, InChannels, H, W]));

        foreach (var (name, values) in expected)
        {
            var scale = values.Max(Math.Abs);
            var error = values.Zip(actual[name].Data, (e, a) => Math.Abs(e - a)).Max() / scale;
            Assert.Equal(values.Length, actual[name].Data.Length);
            Assert.True(error <= Tolerance, $"{name}: max |diff| / scale = {error:E2}.");
        }
    }

    [Fact]
    public void Tap_candidates_are_concat_add_and_activation_outputs_and_the_skeleton_compiles()
    {
        var import = TfjsImporter.Import(WriteModel(ExampleLayers()));
        // conv_a carries relu6; conv_c and dw_b are linear; pools, padding and heads are not taps.
        Assert.Equal(["conv_a", "add_d", "relu_e", "cat_i"], import.TapCandidates);

        File.WriteAllBytes(Path.Combine(_folder, "imported.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(import.Model));
        var manifestPath = Path.Combine(_folder, "imported.json");
        ManifestSkeleton.For(import, "imported", "imported.onnx").Save(manifestPath);
        var manifest = BackboneManifest.Load(manifestPath);
        Assert.Equal(import.TapCandidates, manifest.Taps.Keys);
        Assert.True(File.Exists(manifest.BackbonePath));

        // The compiler reads the written backbone and manifest as they are (taps named after their tensors).
        var dream = new DreamParameters([new TapWeight("cat_i", 1f), new TapWeight("add_d", 0.5f)]);
        var compiled = ModelCompiler.Compile(ModelProto.Parser.ParseFrom(File.ReadAllBytes(manifest.BackbonePath)), manifest, dream.Objective());
        using var runner = new OrtRunner(compiled);
        var feeds = DreamCheck.Feeds(runner, dream);
        feeds[GraphNames.Image] = new OrtTensor(new float[InChannels * H * W].Select(_ => (float)_random.NextDouble()).ToArray(), [1, InChannels, H, W]);
        var result = runner.Run(feeds);
        Assert.Equal([1L, InChannels, H, W], result[GraphNames.Grad].Shape);
        Assert.Contains(result[GraphNames.Grad].Data, v => v != 0);
    }

    [Fact]
    public void An_unsupported_layer_is_an_error_naming_it()
    {
        var layers = ExampleLayers();
        layers.Add(Layer("lstm_z", "LSTM", new JsonObject { ["units"] = 4 }, "cat_i"));
        var ex = Assert.Throws<GraphCompilationException>(() => TfjsImporter.Import(WriteModel(layers)));
        Assert.Contains("'lstm_z'", ex.Message);
        Assert.Contains("LSTM", ex.Message);
    }

    /// <summary>The reference outputs by tensor name, NCHW-ordered (heads as vectors).</summary>
    private Dictionary<string, double[]> Evaluate(Nhwc x)
    {
        double[] W_(string name) => _weights.Single(w => w.Name == name).Values;
        var a = Map(Conv(x, W_("conv_a/kernel"), 3, 3, 4, W_("conv_a/bias"), 2, "same"), (v, _) => Math.Clamp(v, 0, 6));
        var b = Depthwise(a, W_("dw_b/depthwise_kernel"), 3, 3, 2, W_("dw_b/bias"), 1, "same");
        var c = Conv(a, W_("conv_c/kernel"), 2, 2, 8, null, 1, "same");
        var d = Add(b, c);
        var (gamma, beta, mean, variance) = (W_("bn_e/gamma"), W_("bn_e/beta"), W_("bn_e/moving_mean"), W_("bn_e/moving_variance"));
        var e = Map(d, (v, ch) => Math.Max(0, (v - mean[ch]) / Math.Sqrt(variance[ch] + BatchNormEpsilon) * gamma[ch] + beta[ch]));
        var g = Pool(ZeroPad(e, 1, 0, 0, 1), 2, 2, "valid", max: true);
        var i = Concat(e, Pool(e, 3, 1, "same", max: false));
        var pooled = new double[i.C];
        for (var p = 0; p < i.H * i.W; p++)
        for (var ch = 0; ch < i.C; ch++) pooled[ch] += i.Data[p * i.C + ch] / (i.H * i.W);
        return new Dictionary<string, double[]>(StringComparer.Ordinal)
        {
            ["conv_a"] = a.ToNchw(),
            ["relu_e"] = e.ToNchw(),
            ["pool_g"] = g.ToNchw(),
            ["cat_i"] = i.ToNchw(),
            ["dense_k"] = Softmax(Dense(pooled, W_("dense_k/kernel"), W_("dense_k/bias"))),
            // Keras flattens NHWC: the pooled map's own (row, column, channel) order.
            ["dense_m"] = Dense(g.Data, W_("dense_m/kernel"), W_("dense_m/bias")),
        };
    }

    private const double BatchNormEpsilon = 1e-3;

    private List<JsonObject> ExampleLayers()
    {
        _weights.Clear();
        Quantized("conv_a/kernel", [3, 3, InChannels, 4]);
        Float("conv_a/bias", [4]);
        Float("dw_b/depthwise_kernel", [3, 3, 4, 2]);
        Float("dw_b/bias", [8]);
        Float("conv_c/kernel", [2, 2, 4, 8]);
        Float("bn_e/gamma", [8], 0.5, 1.5);
        Float("bn_e/beta", [8]);
        Float("bn_e/moving_mean", [8]);
        Float("bn_e/moving_variance", [8], 0.5, 2);
        Float("dense_k/kernel", [16, 3]);
        Half("dense_k/bias", [3]);
        Float("dense_m/kernel", [2 * 3 * 8, 2]);
        Float("dense_m/bias", [2]);
        static JsonArray Pair(int a, int b) => [a, b];
        return
        [
            new JsonObject
            {
                ["name"] = "input_1", ["class_name"] = "InputLayer",
                ["config"] = new JsonObject { ["batch_input_shape"] = new JsonArray(null, H, W, InChannels), ["name"] = "input_1" },
                ["inbound_nodes"] = new JsonArray(),
            },
            Layer("conv_a", "Conv2D", new JsonObject { ["filters"] = 4, ["kernel_size"] = Pair(3, 3), ["strides"] = Pair(2, 2), ["padding"] = "same",
                ["data_format"] = "channels_last", ["dilation_rate"] = Pair(1, 1), ["activation"] = "relu6", ["use_bias"] = true }, "input_1"),
            Layer("dw_b", "DepthwiseConv2D", new JsonObject { ["kernel_size"] = Pair(3, 3), ["strides"] = Pair(1, 1), ["padding"] = "same",
                ["depth_multiplier"] = 2, ["activation"] = "linear", ["use_bias"] = true }, "conv_a"),
            Layer("conv_c", "Conv2D", new JsonObject { ["filters"] = 8, ["kernel_size"] = Pair(2, 2), ["strides"] = Pair(1, 1), ["padding"] = "same",
                ["activation"] = "linear", ["use_bias"] = false }, "conv_a"),
            Layer("add_d", "Add", new JsonObject(), "dw_b", "conv_c"),
            Layer("bn_e", "BatchNormalization", new JsonObject { ["axis"] = -1, ["epsilon"] = BatchNormEpsilon, ["center"] = true, ["scale"] = true }, "add_d"),
            Layer("relu_e", "ReLU", new JsonObject { ["max_value"] = null, ["negative_slope"] = 0, ["threshold"] = 0 }, "bn_e"),
            // Pads below the pool's kernel: ONNX Runtime fuses Pad into the following MaxPool, whose pads must stay below it.
            Layer("pad_f", "ZeroPadding2D", new JsonObject { ["padding"] = new JsonArray(Pair(1, 0), Pair(0, 1)) }, "relu_e"),
            Layer("pool_g", "MaxPooling2D", new JsonObject { ["pool_size"] = Pair(2, 2), ["strides"] = Pair(2, 2), ["padding"] = "valid" }, "pad_f"),
            Layer("avg_h", "AveragePooling2D", new JsonObject { ["pool_size"] = Pair(3, 3), ["strides"] = Pair(1, 1), ["padding"] = "same" }, "relu_e"),
            Layer("cat_i", "Concatenate", new JsonObject { ["axis"] = -1 }, "relu_e", "avg_h"),
            Layer("gap_j", "GlobalAveragePooling2D", new JsonObject(), "cat_i"),
            Layer("drop_j", "Dropout", new JsonObject { ["rate"] = 0.5 }, "gap_j"),
            Layer("dense_k", "Dense", new JsonObject { ["units"] = 3, ["activation"] = "softmax", ["use_bias"] = true }, "drop_j"),
            Layer("flat_l", "Flatten", new JsonObject(), "pool_g"),
            Layer("dense_m", "Dense", new JsonObject { ["units"] = 2, ["activation"] = "linear", ["use_bias"] = true }, "flat_l"),
        ];
    }

    private static JsonObject Layer(string name, string className, JsonObject config, params string[] inputs)
    {
        config["name"] = name;
        var inbound = new JsonArray();
        foreach (var input in inputs) inbound.Add(new JsonArray(input, 0, 0, new JsonObject()));
        return new JsonObject { ["name"] = name, ["class_name"] = className, ["config"] = config, ["inbound_nodes"] = new JsonArray(inbound) };
    }

    /// <summary>Writes model.json and the weights, split over two shards (a shard boundary falls inside a weight).</summary>
    private string WriteModel(List<JsonObject> layers)
    {
        var bytes = _weights.SelectMany(w => w.Bytes).ToArray();
        var half = bytes.Length / 2;
        File.WriteAllBytes(Path.Combine(_folder, "group1-shard1of2.bin"), bytes[..half]);
        File.WriteAllBytes(Path.Combine(_folder, "group1-shard2of2.bin"), bytes[half..]);
        var specs = new JsonArray();
        foreach (var (name, shape, values, quantization, _) in _weights)
        {
            var spec = new JsonObject { ["name"] = name, ["shape"] = new JsonArray(shape.Select(d => JsonValue.Create(d)).ToArray<JsonNode?>()), ["dtype"] = "float32" };
            if (quantization is not null) spec["quantization"] = JsonNode.Parse(quantization);
            specs.Add(spec);
        }
        var modelLayers = new JsonArray(layers.Select(l => l.DeepClone()).ToArray());
        var root = new JsonObject
        {
            ["format"] = "layers-model",
            ["modelTopology"] = new JsonObject
            {
                ["keras_version"] = "2.2.4",
                ["model_config"] = new JsonObject
                {
                    ["class_name"] = "Model",
                    ["config"] = new JsonObject
                    {
                        ["name"] = "tiny", ["layers"] = modelLayers,
                        ["input_layers"] = new JsonArray(new JsonArray("input_1", 0, 0)),
                        ["output_layers"] = new JsonArray(new JsonArray("dense_k", 0, 0), new JsonArray("dense_m", 0, 0)),
                    },
                },
            },
            ["weightsManifest"] = new JsonArray(new JsonObject
            {
                ["paths"] = new JsonArray("group1-shard1of2.bin", "group1-shard2of2.bin"),
                ["weights"] = specs,
            }),
        };
        var path = Path.Combine(_folder, "model.json");
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    private void Float(string name, long[] shape, double lo = -0.5, double hi = 0.5)
    {
        var values = Enumerable.Range(0, Count(shape)).Select(_ => (double)(float)(lo + (hi - lo) * _random.NextDouble())).ToArray();
        _weights.Add((name, shape, values, null, values.SelectMany(v => BitConverter.GetBytes((float)v)).ToArray()));
    }

    /// <summary>uint8 affine quantization: <c>value = q * scale + min</c>.</summary>
    private void Quantized(string name, long[] shape)
    {
        const double Min = -0.6, Scale = 0.005;
        var q = Enumerable.Range(0, Count(shape)).Select(_ => (byte)_random.Next(256)).ToArray();
        _weights.Add((name, shape, q.Select(b => b * Scale + Min).ToArray(),
            JsonSerializer.Serialize(new { dtype = "uint8", min = Min, scale = Scale }), q));
    }

    private void Half(string name, long[] shape)
    {
        var values = Enumerable.Range(0, Count(shape)).Select(_ => (System.Half)(_random.NextDouble() - 0.5)).ToArray();
        _weights.Add((name, shape, values.Select(v => (double)v).ToArray(), JsonSerializer.Serialize(new { dtype = "float16" }),
            values.SelectMany(v => BitConverter.GetBytes(v)).ToArray()));
    }

    private static int Count(long[] shape) => (int)shape.Aggregate(1L, (a, b) => a * b);
}
