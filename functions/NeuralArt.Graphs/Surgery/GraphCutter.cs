using Onnx;

namespace NeuralArt.Graphs.Surgery;

/// <summary>Keeps only the nodes needed to compute the given tensors (the taps): the cut.</summary>
internal static class GraphCutter
{
    public static void CutTo(BackboneGraph graph, IEnumerable<string> outputs)
    {
        var needed = new HashSet<string>(outputs, StringComparer.Ordinal);
        var producers = graph.Producers();
        foreach (var tensor in needed)
        {
            if (tensor != graph.Input && !producers.ContainsKey(tensor))
            {
                throw new GraphCompilationException($"Tap tensor '{tensor}' is not produced by any node of the backbone.");
            }
        }
        var kept = new List<NodeProto>();
        for (var i = graph.Nodes.Count - 1; i >= 0; i--)
        {
            var node = graph.Nodes[i];
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (var input in node.Input) needed.Add(input);
        }
        kept.Reverse();
        graph.Nodes.Clear();
        graph.Nodes.AddRange(kept);
    }
}
