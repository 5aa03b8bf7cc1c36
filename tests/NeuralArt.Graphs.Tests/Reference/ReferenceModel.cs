using NeuralArt.Graphs.Tests.Reference.Ops;
using Onnx;

namespace NeuralArt.Graphs.Tests.Reference;

/// <summary>
/// Evaluates an ONNX CNN node by node in float64 with naive loops: the ground truth the compiled
/// float32 graphs are checked against. Supports exactly the compiler's op list (Conv,
/// BatchNormalization, Relu, LeakyRelu, Clip, MaxPool, AveragePool, GlobalAveragePool, Add, Sum,
/// Sub, Mul, Concat, Pad, LRN, Identity, Dropout), in their opset 6 to 18 forms.
/// </summary>
internal sealed class ReferenceModel
{
    private readonly List<NodeProto> _nodes;
    private readonly Dictionary<string, RefTensor> _constants;
    private readonly long _opset;
    private readonly bool _symmetricPads;

    /// <param name="symmetricPads">Apply the compiler's pad rewrite (end pads = begin pads) to Conv and pooling.</param>
    public ReferenceModel(ModelProto model, bool symmetricPads = false)
    {
        var graph = model.Graph;
        _opset = OnnxReading.Opset(model);
        _symmetricPads = symmetricPads;
        _constants = new Dictionary<string, RefTensor>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer) _constants[t.Name] = OnnxReading.ToRef(t);
        _nodes = [];
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant")
            {
                var value = OnnxReading.Attribute(node, "value")?.T
                    ?? throw new NotSupportedException($"Constant '{node.Name}' without a tensor value.");
                _constants[node.Output[0]] = OnnxReading.ToRef(value);
            }
            else
            {
                _nodes.Add(node);
            }
        }
        InputName = graph.Input.Select(i => i.Name).First(n => !_constants.ContainsKey(n));
    }

    /// <summary>The first graph input that is not an initializer.</summary>
    public string InputName { get; }

    /// <summary>Runs the graph on <paramref name="input"/> until every tensor in <paramref name="wanted"/> is known.</summary>
    public Dictionary<string, RefTensor> Run(RefTensor input, IReadOnlyCollection<string> wanted)
    {
        var values = new Dictionary<string, RefTensor>(_constants, StringComparer.Ordinal) { [InputName] = input };
        var pending = new List<NodeProto>(_nodes);
        var progress = true;
        while (!wanted.All(values.ContainsKey) && progress)
        {
            progress = false;
            for (var i = 0; i < pending.Count && !wanted.All(values.ContainsKey); i++)
            {
                var node = pending[i];
                if (!node.Input.All(n => n.Length == 0 || values.ContainsKey(n))) continue;
                var outputs = Evaluate(node, values);
                for (var o = 0; o < outputs.Length && o < node.Output.Count; o++)
                {
                    if (node.Output[o].Length > 0) values[node.Output[o]] = outputs[o];
                }
                pending.RemoveAt(i--);
                progress = true;
            }
        }
        var missing = wanted.Where(w => !values.ContainsKey(w)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The reference could not compute {string.Join(", ", missing)}.");
        }
        return wanted.ToDictionary(w => w, w => values[w], StringComparer.Ordinal);
    }

    private RefTensor[] Evaluate(NodeProto node, Dictionary<string, RefTensor> values)
    {
        RefTensor In(int i) => values[node.Input[i]];
        RefTensor? Optional(int i) => i < node.Input.Count && node.Input[i].Length > 0 ? values[node.Input[i]] : null;
        var inputs = node.Input.Where(n => n.Length > 0).Select(n => values[n]).ToList();

        switch (node.OpType)
        {
            case "Conv":
                return [Convolution.Conv(node, In(0), In(1), Optional(2), _symmetricPads)];
            case "BatchNormalization":
                return [Normalization.BatchNormalization(node, In(0), In(1), In(2), In(3), In(4))];
            case "Relu":
                return [Elementwise.Relu(In(0))];
            case "LeakyRelu":
                return [Elementwise.LeakyRelu(In(0), OnnxReading.Float(node, "alpha", 0.01f))];
            case "Clip":
                return [Clip(node, In(0), Optional(1), Optional(2))];
            case "MaxPool":
                return [Pooling.MaxPool(node, In(0), _symmetricPads)];
            case "AveragePool":
                return [Pooling.AveragePool(node, In(0), _symmetricPads)];
            case "GlobalAveragePool":
                return [Pooling.GlobalAveragePool(In(0))];
            case "Add":
            case "Sum":
                return [Elementwise.Broadcast(inputs, (a, b) => a + b)];
            case "Sub":
                return [Elementwise.Broadcast(inputs, (a, b) => a - b)];
            case "Mul":
                return [Elementwise.Broadcast(inputs, (a, b) => a * b)];
            case "Concat":
                return [Layout.Concat(inputs, (int)OnnxReading.Int(node, "axis", 1))];
            case "Pad":
                return [Pad(node, In(0), Optional(1), Optional(2))];
            case "LRN":
                return [Normalization.Lrn(node, In(0))];
            case "Identity":
                return [In(0).Clone()];
            case "Dropout":
                if (Optional(2) is { } training && training.Data[0] != 0)
                {
                    throw new NotSupportedException($"Dropout '{node.Name}' in training mode.");
                }
                // Inference: the identity, and a mask of ones.
                return [In(0).Clone(), RefTensor.Filled(In(0).Shape, 1.0)];
            default:
                throw new NotSupportedException($"The reference does not implement {node.OpType} (node '{node.Name}').");
        }
    }

    private RefTensor Clip(NodeProto node, RefTensor x, RefTensor? min, RefTensor? max)
    {
        if (_opset < 11)
        {
            return Elementwise.Clip(x, OnnxReading.Float(node, "min", float.MinValue), OnnxReading.Float(node, "max", float.MaxValue));
        }
        return Elementwise.Clip(x, min?.Data[0] ?? double.NegativeInfinity, max?.Data[0] ?? double.PositiveInfinity);
    }

    private RefTensor Pad(NodeProto node, RefTensor x, RefTensor? padsInput, RefTensor? valueInput)
    {
        var mode = OnnxReading.String(node, "mode", "constant");
        if (mode != "constant") throw new NotSupportedException($"Pad '{node.Name}': mode '{mode}'.");
        if (_opset < 11)
        {
            var pads = OnnxReading.Ints(node, "pads") ?? OnnxReading.Ints(node, "paddings")
                ?? throw new InvalidOperationException($"Pad '{node.Name}' has no pads.");
            return Layout.PadConstant(x, pads, OnnxReading.Float(node, "value", 0));
        }
        if (node.Input.Count > 3 && node.Input[3].Length > 0)
        {
            throw new NotSupportedException($"Pad '{node.Name}': the axes input.");
        }
        var p = padsInput ?? throw new InvalidOperationException($"Pad '{node.Name}' has no pads input.");
        return Layout.PadConstant(x, p.Data.Select(v => (int)v).ToArray(), valueInput?.Data[0] ?? 0.0);
    }
}
