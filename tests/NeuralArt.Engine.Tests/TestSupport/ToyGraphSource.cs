using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Tests.TestSupport;

/// <summary>An <see cref="IGraphSource"/> serving the <see cref="ToyGraphs"/> as model <c>toy</c>.</summary>
internal sealed class ToyGraphSource : IGraphSource
{
    public const string Model = "toy";

    public BackboneManifest GetManifest(string model) => model == Model
        ? new BackboneManifest { Name = Model, Backbone = "none.onnx", Taps = new Dictionary<string, string> { [ToyGraphs.Tap] = "r" } }
        : throw new GraphCompilationException($"No model named '{model}'.");

    public CompiledGraph GetGraph(BackboneManifest manifest, Objective objective) => objective switch
    {
        DreamObjective => new CompiledGraph(ToyGraphs.DreamPath, Model, objective.CacheKey, "dream"),
        GuidedDreamObjective => new CompiledGraph(ToyGraphs.GuidedPath, Model, objective.CacheKey, "guided"),
        FeaturesObjective => new CompiledGraph(ToyGraphs.FeaturesPath, Model, objective.CacheKey, "features"),
        _ => throw new GraphCompilationException($"Unsupported objective {objective}."),
    };
}
