using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Surgery;

/// <summary>
/// Static channel counts of NCHW activations (spatial sizes stay dynamic). Objectives need them for
/// channel masks; the image has 3.
/// </summary>
internal static class ChannelInference
{
    public static Dictionary<string, long> Infer(BackboneGraph graph)
    {
        var channels = new Dictionary<string, long>(StringComparer.Ordinal) { [graph.Input] = 3 };
        foreach (var node in graph.Nodes)
        {
            long? c = node.OpType switch
            {
                "Conv" => graph.Initializers.TryGetValue(node.Input[1], out var w) ? w.Dims[0] : null,
                "Concat" when node.GetInt("axis", 1) is 1 or -3 =>
                    node.Input.All(channels.ContainsKey) ? node.Input.Sum(i => channels[i]) : null,
                _ => channels.TryGetValue(node.Input[0], out var x) ? x : null,
            };
            if (c is { } value) channels[node.Output[0]] = value;
        }
        return channels;
    }
}
