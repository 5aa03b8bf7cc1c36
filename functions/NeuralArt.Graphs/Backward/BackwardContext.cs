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
