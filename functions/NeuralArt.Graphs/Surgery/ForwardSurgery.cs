using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Manifests;
using Onnx;

namespace NeuralArt.Graphs.Surgery;

/// <summary>
/// The forward network every compiled graph starts from: the backbone in one opset dialect, with
/// symmetric pads (when the manifest asks), cut at the taps, BatchNormalization folded into its
/// convolutions and pools moved before ReLUs. The compiler and the cost model share it, so both
/// see the same network.
/// </summary>
internal static class ForwardSurgery
{
    /// <param name="tapTensors">The backbone tensors the objective reads; surgery never removes them.</param>
    public static BackboneGraph Prepare(ModelProto backbone, BackboneManifest manifest, IReadOnlyCollection<string> tapTensors)
    {
        var graph = BackboneGraph.FromModel(backbone, manifest.Input);
        OpsetNormalizer.Normalize(graph);
        if (manifest.SymmetricPads) PadRewriter.MakeSymmetric(graph);
        GraphCutter.CutTo(graph, tapTensors);
        BackwardRules.EnsureSupported(graph.Nodes);
        var taps = new HashSet<string>(tapTensors, StringComparer.Ordinal);
        BatchNormFolder.Fold(graph, taps);
        ReluPoolSwap.Apply(graph, taps);
        return graph;
    }
}
