using System.Buffers.Binary;
using System.Text.Json;

namespace NeuralArt.Graphs.Import;

/// <summary>One Keras layer of a TF.js layers model: its class, name, config and the layers it reads.</summary>
internal sealed record KerasLayer(string ClassName, string Name, JsonElement Config, IReadOnlyList<string> Inbound);

/// <summary>
/// A TF.js layers model as its converter writes it: <c>model.json</c> (the Keras topology and a
/// weights manifest) and the <c>.bin</c> files the manifest names, read into float32 tensors
/// (dequantized where the manifest quantizes them: <c>value = q * scale + min</c>).
/// </summary>
internal sealed class TfjsModel
{
    private TfjsModel(string modelName, IReadOnlyList<KerasLayer> layers, IReadOnlyList<string> inputs,
        IReadOnlyList<string> outputs, Dictionary<string, (long[] Shape, float[] Values)> weights)
    {
        ModelName = modelName;
        Layers = layers;
        Inputs = inputs;
        Outputs = outputs;
        Weights = weights;
    }

    public string ModelName { get; }

    /// <summary>Layers in the topology's order (Keras writes them topologically).</summary>
    public IReadOnlyList<KerasLayer> Layers { get; }

    public IReadOnlyList<string> Inputs { get; }

    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Weights by manifest name (<c>conv2d_1/kernel</c>), Keras layout (NHWC kernels).</summary>
    public IReadOnlyDictionary<string, (long[] Shape, float[] Values)> Weights { get; }

    /// <summary>The weight <paramref name="parameter"/> of a layer, or null when the layer has none of that name.</summary>
    public (long[] Shape, float[] Values)? Weight(string layer, string parameter)
    {
        var key = $"{layer}/{parameter}";
        if (Weights.TryGetValue(key, out var exact)) return exact;
        // Newer converters prefix weight names with the model's (or an outer scope's) name.
        var suffix = "/" + key;
        var matches = Weights.Where(w => w.Key.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        return matches.Count == 1 ? matches[0].Value : null;
    }

    public static TfjsModel Load(string modelJsonPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath))!;
        using var document = JsonDocument.Parse(File.ReadAllBytes(modelJsonPath));
        var root = document.RootElement;
        if (!root.TryGetProperty("modelTopology", out var topology))
        {
            throw new GraphCompilationException($"'{modelJsonPath}' has no modelTopology: not a TF.js layers model.");
        }
        if (root.TryGetProperty("format", out var format) && format.GetString() is { } f && f != "layers-model")
        {
            throw new GraphCompilationException($"'{modelJsonPath}' is a TF.js '{f}'; only layers models (Keras) can be imported.");
        }
        var config = topology.TryGetProperty("model_config", out var modelConfig) ? modelConfig : topology;
        var className = config.GetProperty("class_name").GetString();
        var body = config.GetProperty("config");
        var (name, layers, inputs, outputs) = className switch
        {
            "Model" or "Functional" => Functional(body),
            "Sequential" => Sequential(body),
            _ => throw new GraphCompilationException($"'{modelJsonPath}': model class '{className}' is not supported (Model, Functional or Sequential)."),
        };
        var weights = ReadWeights(root, folder, modelJsonPath);
        return new TfjsModel(name, layers, inputs, outputs, weights);
    }

    private static (string, List<KerasLayer>, List<string>, List<string>) Functional(JsonElement body)
    {
        var layers = new List<KerasLayer>();
        foreach (var layer in body.GetProperty("layers").EnumerateArray())
        {
            var name = layer.GetProperty("name").GetString()!;
            var inbound = new List<string>();
            var nodes = layer.GetProperty("inbound_nodes");
            if (nodes.GetArrayLength() > 1)
            {
                throw new GraphCompilationException($"Layer '{name}' is shared (called {nodes.GetArrayLength()} times); shared layers are not supported.");
            }
            foreach (var node in nodes.EnumerateArray())
            {
                if (node.ValueKind != JsonValueKind.Array)
                {
                    throw new GraphCompilationException($"Layer '{name}': inbound nodes in the Keras 3 format are not supported; convert from a Keras 2 model.");
                }
                foreach (var tensor in node.EnumerateArray()) inbound.Add(TensorName(name, tensor));
            }
            layers.Add(new KerasLayer(layer.GetProperty("class_name").GetString()!, name, layer.GetProperty("config").Clone(), inbound));
        }
        return (body.TryGetProperty("name", out var n) ? n.GetString() ?? "model" : "model", layers,
            body.GetProperty("input_layers").EnumerateArray().Select(t => TensorName("input_layers", t)).ToList(),
            body.GetProperty("output_layers").EnumerateArray().Select(t => TensorName("output_layers", t)).ToList());
    }

    /// <summary>A Keras tensor reference <c>[layer, node index, tensor index, kwargs]</c>: only single-output layers.</summary>
    private static string TensorName(string owner, JsonElement reference)
    {
        var layer = reference[0].GetString()!;
        if (reference.GetArrayLength() > 2 && reference[2].GetInt32() != 0)
        {
            throw new GraphCompilationException($"'{owner}' reads output {reference[2].GetInt32()} of '{layer}'; only single-output layers are supported.");
        }
        return layer;
    }

    private static (string, List<KerasLayer>, List<string>, List<string>) Sequential(JsonElement body)
    {
        var list = body.ValueKind == JsonValueKind.Array ? body : body.GetProperty("layers");
        var layers = new List<KerasLayer>();
        string? previous = null;
        foreach (var layer in list.EnumerateArray())
        {
            var config = layer.GetProperty("config").Clone();
            var name = config.GetProperty("name").GetString()!;
            var className = layer.GetProperty("class_name").GetString()!;
            if (previous is null && className != "InputLayer")
            {
                // A Sequential model without an InputLayer declares its input on the first layer.
                const string SequentialInput = "input";
                layers.Add(new KerasLayer("InputLayer", SequentialInput, config, []));
                previous = SequentialInput;
            }
            layers.Add(new KerasLayer(className, name, config, previous is null ? [] : [previous]));
            previous = name;
        }
        var name0 = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("name", out var n) ? n.GetString() ?? "model" : "model";
        return (name0, layers, [layers[0].Name], [layers[^1].Name]);
    }

    private static Dictionary<string, (long[], float[])> ReadWeights(JsonElement root, string folder, string modelJsonPath)
    {
        var weights = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        if (!root.TryGetProperty("weightsManifest", out var manifest)) return weights;
        foreach (var group in manifest.EnumerateArray())
        {
            // A group's files are one byte stream split into shards; its weights follow each other in it.
            var bytes = group.GetProperty("paths").EnumerateArray()
                .SelectMany(p => File.ReadAllBytes(Path.Combine(folder, p.GetString()!))).ToArray();
            var offset = 0;
            foreach (var entry in group.GetProperty("weights").EnumerateArray())
            {
                var name = entry.GetProperty("name").GetString()!;
                var shape = entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var count = checked((int)shape.Aggregate(1L, (a, b) => a * b));
                var dtype = entry.GetProperty("dtype").GetString();
                if (dtype != "float32")
                {
                    throw new GraphCompilationException($"Weight '{name}' has dtype '{dtype}'; only float32 weights are supported.");
                }
                var values = new float[count];
                var quantization = entry.TryGetProperty("quantization", out var q) ? q : (JsonElement?)null;
                var size = count * BytesPerValue(quantization, name);
                if (offset + size > bytes.Length)
                {
                    throw new GraphCompilationException($"'{modelJsonPath}': the weight files end inside '{name}'.");
                }
                Dequantize(bytes.AsSpan(offset, size), values, quantization);
                offset += size;
                weights[name] = (shape, values);
            }
        }
        return weights;
    }

    /// <summary>Bytes per stored value: float32, or the quantized type the manifest names.</summary>
    private static int BytesPerValue(JsonElement? quantization, string name) =>
        quantization?.GetProperty("dtype").GetString() switch
        {
            null => sizeof(float),
            "uint8" => sizeof(byte),
            "uint16" or "float16" => sizeof(ushort),
            var other => throw new GraphCompilationException($"Weight '{name}' is quantized as '{other}'; supported: uint8, uint16, float16."),
        };

    private static void Dequantize(ReadOnlySpan<byte> bytes, float[] values, JsonElement? quantization)
    {
        var n = values.Length;
        if (quantization is not { } q)
        {
            for (var i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * sizeof(float)));
            return;
        }
        var dtype = q.GetProperty("dtype").GetString();
        if (dtype == "float16")
        {
            for (var i = 0; i < n; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice(i * sizeof(ushort)));
            return;
        }
        // Affine quantization: value = q * scale + min.
        var scale = q.GetProperty("scale").GetDouble();
        var min = q.GetProperty("min").GetDouble();
        if (dtype == "uint8")
        {
            for (var i = 0; i < n; i++) values[i] = (float)(bytes[i] * scale + min);
            return;
        }
        for (var i = 0; i < n; i++) values[i] = (float)(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(i * sizeof(ushort))) * scale + min);
    }
}
