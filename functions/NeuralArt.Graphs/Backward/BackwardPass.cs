using Onnx;
using NeuralArt.Graphs.Onnx;
using NeuralArt.Graphs.Surgery;

namespace NeuralArt.Graphs.Backward;

/// <summary>
/// Reverse-mode differentiation of the cut backbone: walks the nodes backwards, applies each op's
/// rule, and sums gradient contributions where a tensor feeds several nodes (residual branches).
/// </summary>
internal sealed class BackwardPass
{
    private readonly Dictionary<string, List<string>> _contributions = new(StringComparer.Ordinal);
    private readonly BackwardContext _context;

    public BackwardPass(GraphBuilder builder, BackboneGraph graph)
    {
        _context = new BackwardContext(builder, graph, ForwardClosure(graph));
    }

    /// <summary>Adds a gradient contribution (from the objective) for a tensor.</summary>
    public void Seed(string tensor, string gradient) => Contribute(tensor, gradient);

    /// <summary>Runs the pass and returns the gradient of the backbone's input tensor.</summary>
    public string Run()
    {
        var graph = _context.Graph;
        for (var i = graph.Nodes.Count - 1; i >= 0; i--)
        {
            var node = graph.Nodes[i];
            var outputGrads = node.Output.Select(Gather).ToArray();
            if (outputGrads.All(g => g is null)) continue;
            var inputGrads = BackwardRules.For(node)(node, outputGrads, _context);
            for (var k = 0; k < inputGrads.Length; k++)
            {
                if (inputGrads[k] is { } g && _context.NeedsGrad(node.Input[k])) Contribute(node.Input[k], g);
            }
        }
        return Gather(graph.Input)
            ?? throw new GraphCompilationException("The objective does not depend on the image.");
    }

    private void Contribute(string tensor, string gradient)
    {
        if (!_contributions.TryGetValue(tensor, out var list)) _contributions[tensor] = list = [];
        list.Add(gradient);
    }

    private string? Gather(string tensor)
    {
        if (!_contributions.TryGetValue(tensor, out var list)) return null;
        if (list.Count > 1)
        {
            var total = _context.Builder.Sum(list, "grad_sum");
            list.Clear();
            list.Add(total);
        }
        return list[0];
    }

    /// <summary>Tensors that depend on the image: only these need gradients.</summary>
    private static HashSet<string> ForwardClosure(BackboneGraph graph)
    {
        var depends = new HashSet<string>(StringComparer.Ordinal) { graph.Input };
        foreach (var node in graph.Nodes)
        {
            if (node.Input.Any(depends.Contains))
            {
                foreach (var o in node.Output) depends.Add(o);
            }
        }
        return depends;
    }
}
