using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Analysis;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Tests.TestSupport;

/// <summary>An <see cref="IGraphSource"/> serving the <see cref="ToyGraphs"/> as model <c>toy</c>.</summary>
internal sealed class ToyGraphSource : IGraphSource
{
    public const string Model = "toy";

    public IReadOnlyList<string> Models { get; } = [Model];

    /// <summary>The toy network's cost: one 1x1 convolution from 3 to 4 channels (the tap).</summary>
    public INetworkCost GetCost(BackboneManifest manifest, IReadOnlyCollection<string> taps) => new ToyCost();

    private sealed class ToyCost : INetworkCost
    {
        private const int InChannels = 3, OutChannels = 4;
        public long ForwardMacs(int height, int width) => (long)height * width * InChannels * OutChannels;
        public long GradientStepMacs(int height, int width) => 2 * ForwardMacs(height, width);
        public long ActivationValues(int height, int width) => (long)height * width * OutChannels;
        public long? TapChannels(string tap) => OutChannels;
    }

    public BackboneManifest GetManifest(string model) => model == Model
        ? new BackboneManifest { Name = Model, Backbone = "none.onnx", Taps = new Dictionary<string, string> { [ToyGraphs.Tap] = "r" },
            Recommended = new RecommendedTaps
            {
                Dream = new Dictionary<string, float> { [ToyGraphs.Tap] = 1f },
                Style = new Dictionary<string, float> { [ToyGraphs.Tap] = 1f },
                Content = new Dictionary<string, float> { [ToyGraphs.Tap] = 1f },
            } }
        : throw new GraphCompilationException($"No model named '{model}'.");

    public CompiledGraph GetGraph(BackboneManifest manifest, Objective objective) => objective switch
    {
        DreamObjective => new CompiledGraph(ToyGraphs.DreamPath, Model, objective.CacheKey, "dream"),
        GuidedDreamObjective => new CompiledGraph(ToyGraphs.GuidedPath, Model, objective.CacheKey, "guided"),
        FeaturesObjective => new CompiledGraph(ToyGraphs.FeaturesPath, Model, objective.CacheKey, "features"),
        _ => throw new GraphCompilationException($"Unsupported objective {objective}."),
    };
}
