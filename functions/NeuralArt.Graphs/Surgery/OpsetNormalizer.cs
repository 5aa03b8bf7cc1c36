using Onnx;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Surgery;

/// <summary>
/// Rewrites nodes written for older opsets into their <see cref="Compilation.ModelCompiler.TargetOpset"/>
/// form (attributes that became inputs, removed attributes, inference-only ops), so the rest of the
/// compiler deals with one dialect. Models from the ONNX zoo range from opset 3 (GoogLeNet) to 12+.
/// </summary>
internal static class OpsetNormalizer
{
    public static void Normalize(BackboneGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            node.Remove("consumed_inputs"); // opset < 6
            switch (node.OpType)
            {
                case "BatchNormalization":
                    node.Remove("spatial");
                    node.Remove("is_test");
                    TrimOutputs(node, 1); // running statistics outputs are training-only
                    break;
                case "Dropout":
                    node.OpType = "Identity";
                    node.Attribute.Clear();
                    while (node.Input.Count > 1) node.Input.RemoveAt(node.Input.Count - 1);
                    TrimOutputs(node, 1);
                    break;
                case "Pad" when node.Find("pads") is not null:
                    MovePadAttributesToInputs(node, graph);
                    break;
                case "Clip" when node.Find("min") is not null || node.Find("max") is not null:
                    MoveClipAttributesToInputs(node, graph);
                    break;
                case "Add" or "Mul" or "Sub" when node.Find("broadcast") is not null:
                    AlignLegacyBroadcast(node, graph);
                    break;
                case "Concat" when node.Find("axis") is null:
                    node.Set(Attr.Int("axis", 1)); // opset < 4 default
                    break;
                case "Conv" or "MaxPool" or "AveragePool" or "ConvTranspose":
                    ResolveAutoPad(node, graph);
                    break;
            }
        }
    }

    private static void TrimOutputs(NodeProto node, int keep)
    {
        while (node.Output.Count > keep) node.Output.RemoveAt(node.Output.Count - 1);
    }

    private static void MovePadAttributesToInputs(NodeProto node, BackboneGraph graph)
    {
        var pads = node.GetInts("pads")!;
        var value = node.GetFloat("value", 0f);
        node.Remove("pads");
        node.Remove("value");
        var padsName = node.Name + "__pads";
        var valueName = node.Name + "__value";
        graph.Initializers[padsName] = Tensors.Int64(padsName, [pads.Length], pads);
        graph.Initializers[valueName] = Tensors.Float(valueName, [], [value]);
        node.Input.Add(padsName);
        node.Input.Add(valueName);
    }

    private static void MoveClipAttributesToInputs(NodeProto node, BackboneGraph graph)
    {
        var min = node.GetFloat("min", float.MinValue);
        var max = node.GetFloat("max", float.MaxValue);
        node.Remove("min");
        node.Remove("max");
        var minName = node.Name + "__min";
        var maxName = node.Name + "__max";
        graph.Initializers[minName] = Tensors.Float(minName, [], [min]);
        graph.Initializers[maxName] = Tensors.Float(maxName, [], [max]);
        node.Input.Add(minName);
        node.Input.Add(maxName);
    }

    /// <summary>
    /// Opset &lt; 7 broadcasting aligned the second operand at <c>axis</c>; numpy-style broadcasting
    /// aligns trailing dimensions, so a constant [C] at axis 1 of an NCHW tensor becomes [C,1,1].
    /// </summary>
    private static void AlignLegacyBroadcast(NodeProto node, BackboneGraph graph)
    {
        var broadcast = node.GetInt("broadcast", 0);
        var axis = node.GetInt("axis", -1);
        node.Remove("broadcast");
        node.Remove("axis");
        if (broadcast == 0 || axis < 0) return;
        if (!graph.Initializers.TryGetValue(node.Input[1], out var constant))
        {
            throw new GraphCompilationException(
                $"Node '{node.Name}' ({node.OpType}) uses legacy broadcasting with a non-constant operand, which is not supported.");
        }
        const int ActivationRank = 4;
        var dims = constant.Dims.ToList();
        while (axis + dims.Count < ActivationRank) dims.Add(1);
        var reshaped = constant.Clone();
        reshaped.Name = node.Name + "__aligned";
        reshaped.Dims.Clear();
        reshaped.Dims.AddRange(dims);
        graph.Initializers[reshaped.Name] = reshaped;
        node.Input[1] = reshaped.Name;
    }

    /// <summary>
    /// Explicit pads are what the backward rules need. VALID and NOTSET mean zero pads; SAME only
    /// has size-independent pads at stride 1, which is all the supported models use.
    /// </summary>
    private static void ResolveAutoPad(NodeProto node, BackboneGraph graph)
    {
        var autoPad = node.GetString("auto_pad");
        node.Remove("auto_pad");
        if (autoPad is null or "" or "NOTSET") return;
        var kernel = KernelShape(node, graph);
        if (autoPad == "VALID")
        {
            node.Set(Attr.Ints("pads", new long[kernel.Length * 2]));
            return;
        }
        var strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, kernel.Length).ToArray();
        if (strides.Any(s => s != 1))
        {
            throw new GraphCompilationException(
                $"Node '{node.Name}' ({node.OpType}) uses auto_pad={autoPad} with stride > 1, whose pads depend on the input size; export the model with explicit pads.");
        }
        var dilations = node.GetInts("dilations") ?? Enumerable.Repeat(1L, kernel.Length).ToArray();
        var pads = new long[kernel.Length * 2];
        for (var i = 0; i < kernel.Length; i++)
        {
            var total = (kernel[i] - 1) * dilations[i];
            var small = total / 2;
            var large = total - small;
            (pads[i], pads[i + kernel.Length]) = autoPad == "SAME_UPPER" ? (small, large) : (large, small);
        }
        node.Set(Attr.Ints("pads", pads));
    }

    public static long[] KernelShape(NodeProto node, BackboneGraph graph)
    {
        if (node.GetInts("kernel_shape") is { } k) return k;
        if (node.Input.Count > 1 && graph.Initializers.TryGetValue(node.Input[1], out var w))
        {
            return w.Dims.Skip(2).ToArray();
        }
        throw new GraphCompilationException($"Node '{node.Name}' ({node.OpType}) has no kernel_shape.");
    }
}
