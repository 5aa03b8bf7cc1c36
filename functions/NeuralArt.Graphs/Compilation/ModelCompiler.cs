using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using Onnx;

namespace NeuralArt.Graphs.Compilation;

/// <summary>
/// Turns a backbone CNN and an objective into one ONNX graph that computes the objective and its
/// gradient with respect to the image (or, for <see cref="FeaturesObjective"/>, the taps only).
/// </summary>
public static partial class ModelCompiler
{
    /// <summary>Bumped whenever compiled graphs change, so stale cache entries are not reused.</summary>
    /// <remarks>
    /// 7: dream weights and channel masks became graph inputs; dream graphs are keyed by the set of taps.
    /// 8: stride-1 average pools differentiate as pools; features graphs output taps named after their own tensor directly.
    /// 9: ReLU backward as Where(Greater(y, 0), dy, 0) and gradient sums as Add chains.
    /// 10: ReLU backward as dy * Cast(y > 0) (ops ONNX Runtime runs on every thread; Where runs on one).
    /// </remarks>
    public const int Version = 10;

    /// <summary>The ONNX opset the compiled graphs are written in.</summary>
    public const long TargetOpset = 17;

    public static ModelProto Compile(ModelProto backbone, BackboneManifest manifest, Objective objective) =>
        CompileCore(backbone, manifest, objective);
}
