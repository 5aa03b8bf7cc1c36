using Onnx;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Surgery;

/// <summary>
/// The backbone as the compiler sees it: its nodes (already normalized to the target opset) in
/// topological order, its weights, and the name of its image input.
/// </summary>
internal sealed class BackboneGraph
{
    public required List<NodeProto> Nodes { get; init; }
    public required Dictionary<string, TensorProto> Initializers { get; init; }
    public required string Input { get; init; }
    public required long SourceOpset { get; init; }

    public static BackboneGraph FromModel(ModelProto model, string? inputName)
    {
        var graph = model.Graph ?? throw new GraphCompilationException("The ONNX file has no graph.");
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        // Constant nodes are folded into initializers so every rule sees weights the same way.
        var nodes = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant" && node.Find("value") is { T: { } value })
            {
                var t = value.Clone();
                t.Name = node.Output[0];
                initializers[t.Name] = t;
                continue;
            }
            nodes.Add(node.Clone());
        }
        var dataInputs = graph.Input.Select(i => i.Name).Where(n => !initializers.ContainsKey(n)).ToList();
        var input = inputName ?? dataInputs.FirstOrDefault()
            ?? throw new GraphCompilationException("The ONNX graph has no image input.");
        if (!dataInputs.Contains(input))
        {
            throw new GraphCompilationException(
                $"Input '{input}' is not a graph input. Inputs: {string.Join(", ", dataInputs)}.");
        }
        var opset = model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx")
            .Select(o => o.Version).DefaultIfEmpty(1).Max();
        return new BackboneGraph
        {
            Nodes = TopologicalOrder(nodes, input, initializers),
            Initializers = initializers,
            Input = input,
            SourceOpset = opset,
        };
    }

    /// <summary>Nodes reachable from <paramref name="input"/>, ordered so producers come first.</summary>
    private static List<NodeProto> TopologicalOrder(List<NodeProto> nodes, string input, Dictionary<string, TensorProto> initializers)
    {
        var available = new HashSet<string>(initializers.Keys, StringComparer.Ordinal) { input, "" };
        var pending = new List<NodeProto>(nodes);
        var ordered = new List<NodeProto>(nodes.Count);
        bool progress = true;
        while (pending.Count > 0 && progress)
        {
            progress = false;
            for (var i = 0; i < pending.Count; i++)
            {
                var node = pending[i];
                if (node.Input.All(available.Contains))
                {
                    ordered.Add(node);
                    foreach (var o in node.Output) available.Add(o);
                    pending.RemoveAt(i--);
                    progress = true;
                }
            }
        }
        return ordered; // Nodes that never become computable (other inputs) are dropped.
    }

    /// <summary>Producer node of each tensor.</summary>
    public Dictionary<string, NodeProto> Producers()
    {
        var map = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var n in Nodes) foreach (var o in n.Output) map[o] = n;
        return map;
    }

    /// <summary>How many nodes read each tensor.</summary>
    public Dictionary<string, int> ConsumerCounts()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in Nodes) foreach (var i in n.Input) map[i] = map.GetValueOrDefault(i) + 1;
        return map;
    }
}
