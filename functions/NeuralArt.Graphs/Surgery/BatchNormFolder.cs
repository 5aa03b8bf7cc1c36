using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Surgery;

/// <summary>
/// Folds inference BatchNormalization into the convolution that feeds it
/// (<c>W' = W * s</c>, <c>b' = (b - mean) * s + beta</c>, <c>s = gamma / sqrt(var + eps)</c>):
/// one op less in the forward pass and none at all in the backward pass.
/// </summary>
internal static class BatchNormFolder
{
    public static int Fold(BackboneGraph graph, IReadOnlySet<string> protectedTensors)
    {
        var producers = graph.Producers();
        var consumers = graph.ConsumerCounts();
        var removed = new HashSet<NodeProtoRef>();
        var folded = 0;
        foreach (var bn in graph.Nodes.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            var x = bn.Input[0];
            if (!producers.TryGetValue(x, out var conv) || conv.OpType != "Conv") continue;
            if (consumers.GetValueOrDefault(x) != 1 || protectedTensors.Contains(x)) continue;
            if (!graph.Initializers.TryGetValue(conv.Input[1], out var weight)) continue;
            if (!bn.Input.Skip(1).All(graph.Initializers.ContainsKey)) continue;

            var gamma = Tensors.ReadFloats(graph.Initializers[bn.Input[1]]);
            var beta = Tensors.ReadFloats(graph.Initializers[bn.Input[2]]);
            var mean = Tensors.ReadFloats(graph.Initializers[bn.Input[3]]);
            var variance = Tensors.ReadFloats(graph.Initializers[bn.Input[4]]);
            var epsilon = bn.GetFloat("epsilon", 1e-5f);
            var w = Tensors.ReadFloats(weight);
            var outChannels = (int)weight.Dims[0];
            var perChannel = w.Length / outChannels;
            var bias = conv.Input.Count > 2 && conv.Input[2].Length > 0
                ? Tensors.ReadFloats(graph.Initializers[conv.Input[2]])
                : new float[outChannels];

            var newW = new float[w.Length];
            var newB = new float[outChannels];
            for (var c = 0; c < outChannels; c++)
            {
                var s = (double)gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
                for (var i = 0; i < perChannel; i++) newW[c * perChannel + i] = (float)(w[c * perChannel + i] * s);
                newB[c] = (float)((bias[c] - (double)mean[c]) * s + beta[c]);
            }
            var wName = conv.Name + "__folded_w";
            var bName = conv.Name + "__folded_b";
            graph.Initializers[wName] = Tensors.Float(wName, weight.Dims.ToArray(), newW);
            graph.Initializers[bName] = Tensors.Float(bName, [outChannels], newB);
            conv.Input[1] = wName;
            if (conv.Input.Count > 2) conv.Input[2] = bName; else conv.Input.Add(bName);
            conv.Output[0] = bn.Output[0];
            removed.Add(new NodeProtoRef(bn));
            folded++;
        }
        graph.Nodes.RemoveAll(n => removed.Contains(new NodeProtoRef(n)));
        return folded;
    }

    /// <summary>Reference identity for protobuf messages (whose Equals compares contents).</summary>
    private readonly record struct NodeProtoRef(global::Onnx.NodeProto Node)
    {
        public bool Equals(NodeProtoRef other) => ReferenceEquals(Node, other.Node);
        public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Node);
    }
}
