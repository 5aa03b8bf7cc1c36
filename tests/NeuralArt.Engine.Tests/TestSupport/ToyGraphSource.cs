using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Tests.TestSupport;

/// <summary>
/// An <see cref="IGraphSource"/> serving the <see cref="ToyGraphs"/> as model <c>toy</c>, whose manifest
/// recommends its one tap at <see cref="RecommendedDreamWeight"/>; it records the objectives asked for.
/// </summary>
internal sealed class ToyGraphSource(bool recommendsDreamTaps = true) : IGraphSource
{
    public const string Model = "toy";

    /// <summary>Not 1, so a default that ignored the manifest's weight would show.</summary>
    public const float RecommendedDreamWeight = 0.75f;

    public List<Objective> Requested { get; } = [];

    public BackboneManifest GetManifest(string model) => model == Model
        ? new BackboneManifest
        {
            Name = Model,
            Backbone = "none.onnx",
            Taps = new Dictionary<string, string> { [ToyGraphs.Tap] = "r" },
            Recommended = new RecommendedTaps
            {
                Dream = recommendsDreamTaps ? new Dictionary<string, float> { [ToyGraphs.Tap] = RecommendedDreamWeight } : new Dictionary<string, float>(),
            },
        }
        : throw new GraphCompilationException($"No model named '{model}'.");

    public CompiledGraph GetGraph(BackboneManifest manifest, Objective objective)
    {
        Requested.Add(objective);
        return Serve(objective);
    }

    private static CompiledGraph Serve(Objective objective) => objective switch
    {
        DreamObjective { Channels: null } => new CompiledGraph(ToyGraphs.DreamPath, Model, objective.CacheKey, "dream"),
        DreamObjective => throw new GraphCompilationException("The toy graphs have no channel selection."),
        GuidedDreamObjective => new CompiledGraph(ToyGraphs.GuidedPath, Model, objective.CacheKey, "guided"),
        FeaturesObjective => new CompiledGraph(ToyGraphs.FeaturesPath, Model, objective.CacheKey, "features"),
        _ => throw new GraphCompilationException($"Unsupported objective {objective}."),
    };
}
