using Onnx;
using NeuralArt.Graphs.Onnx;
using NeuralArt.Graphs.Surgery;

namespace NeuralArt.Graphs.Backward;

/// <summary>What a backward rule can see and do: the builder, the weights, and which tensors need gradients.</summary>
internal sealed class BackwardContext
{
    public BackwardContext(GraphBuilder builder, BackboneGraph graph, IReadOnlySet<string> requiresGrad)
    {
        Builder = builder;
        Graph = graph;
        RequiresGrad = requiresGrad;
        SpatialSingletons = InferSpatialSingletons(graph);
    }

    /// <summary>
    /// Activations known to be [N,C,1,1] (global pools and what is computed from them alone), which
    /// broadcast over H and W when combined with a full feature map, as in squeeze-and-excitation.
    /// </summary>
    public IReadOnlySet<string> SpatialSingletons { get; }

    /// <summary>
    /// Sums a gradient contribution over H and W when the input it belongs to was broadcast there
    /// by the forward op (the adjoint of broadcasting is summation).
    /// </summary>
    public string? Unbroadcast(NodeProto node, int input, string? gradient)
    {
        if (gradient is null || !SpatialSingletons.Contains(node.Input[input]) || SpatialSingletons.Contains(node.Output[0]))
        {
            return gradient;
        }
        return Builder.Add("ReduceSum", [gradient, Builder.ConstInt64([2, 3])], "unbroadcast", Attr.Int("keepdims", 1));
    }

    private static HashSet<string> InferSpatialSingletons(BackboneGraph graph)
    {
        var singletons = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            var activations = node.Input.Where(i => i.Length > 0 && !graph.Initializers.ContainsKey(i)).ToList();
            var isSingleton = node.OpType is "GlobalAveragePool" or "GlobalMaxPool"
                || (activations.Count > 0 && activations.All(singletons.Contains)
                    && node.OpType is not ("Concat" or "Pad" or "ConvTranspose"));
            if (isSingleton) singletons.Add(node.Output[0]);
        }
        return singletons;
    }

    public GraphBuilder Builder { get; }
    public BackboneGraph Graph { get; }
    public IReadOnlySet<string> RequiresGrad { get; }

    public bool NeedsGrad(string tensor) => tensor.Length > 0 && RequiresGrad.Contains(tensor);

    public TensorProto Weight(NodeProto node, int input) =>
        Graph.Initializers.TryGetValue(node.Input[input], out var t)
            ? t
            : throw new GraphCompilationException(
                $"Node '{node.Name}' ({node.OpType}) reads '{node.Input[input]}' as a weight, but it is not a constant; only constant weights are supported.");
}

/// <summary>
/// A backward rule: given a forward node and the gradients of its outputs (null where an output
/// has none), returns the gradient contribution for each input (null where none is needed).
/// </summary>
internal delegate string?[] BackwardRule(NodeProto node, string?[] outputGrads, BackwardContext context);
