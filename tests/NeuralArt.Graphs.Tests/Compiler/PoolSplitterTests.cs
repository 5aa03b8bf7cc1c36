using NeuralArt.Graphs.Analysis;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using Onnx;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>
/// The dream graph split at its first max-pool (<see cref="PoolSplitter"/>): the three parts, run on
/// ONNX Runtime with the pool and its backward between them (here as ONNX Runtime's own MaxPool and
/// ScatterElements, as in the one graph), give the one graph's loss and gradient bit for bit, for
/// every test network with a max-pool at every test size. The one graph's gradients are checked
/// against float64 finite differences elsewhere (<see cref="DreamGradientTests"/>), so equal bits
/// carry that check over to the split.
/// </summary>
public sealed class PoolSplitterTests(ITestOutputHelper output)
{
    private const float TapWeight = 1.5f;

    public static TheoryData<string, int, int> PoolNetworksAllSizes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var name in TestNetworks.Names.Where(n => HasMaxPool(TestNetworks.Get(n))))
        {
            foreach (var (h, w) in TestNetworks.Get(name).Sizes) data.Add(name, h, w);
        }
        return data;
    }

    private static bool HasMaxPool(TestNetwork network) => network.Model.Graph.Node.Any(n => n.OpType == "MaxPool");

    [Theory]
    [MemberData(nameof(PoolNetworksAllSizes))]
    public void Split_parts_with_the_pool_between_equal_the_one_graph_bit_for_bit(string name, int h, int w)
    {
        var network = TestNetworks.Get(name);
        var parameters = new DreamParameters([new TapWeight(network.DreamTap, TapWeight)]);
        var compiled = CompiledModels.Get(network, parameters.Objective());
        var split = PoolSplitter.TrySplit(compiled.Model);
        if (name.StartsWith("maxpool-", StringComparison.Ordinal)) Assert.NotNull(split);
        if (split is null)
        {
            output.WriteLine($"{name}: not split (its first max-pool does not separate the graph)");
            return;
        }

        var (image, _) = TestImages.Random(h, w, seed: h * 1000 + w);
        var feeds = DreamCheck.Feeds(compiled.Runner, parameters);
        feeds[GraphNames.Image] = TestImages.Tensor(image, h, w);
        var whole = compiled.Runner.Run(feeds, [GraphNames.Loss, GraphNames.Grad]);

        using var pre = new OrtRunner(split.Pre);
        using var rest = new OrtRunner(split.Rest);
        using var back = new OrtRunner(split.Back);
        var x = pre.Run(GraphNames.Image, feeds[GraphNames.Image])[PoolSplitNames.PoolInput];
        using var poolForward = new OrtRunner(MaxPoolProbe.Forward(split.Pool, x.Shape[1]));
        using var poolBackward = new OrtRunner(MaxPoolProbe.Backward(split.Pool, x.Shape[1]));
        var y = poolForward.Run(new Dictionary<string, OrtTensor> { [MaxPoolProbe.InputName] = x }, [MaxPoolProbe.PooledName])[MaxPoolProbe.PooledName];
        var restFeeds = Only(rest, feeds);
        restFeeds[PoolSplitNames.PoolOutput] = y;
        var restOut = rest.Run(restFeeds);
        var dx = poolBackward.Run(new Dictionary<string, OrtTensor> { [MaxPoolProbe.InputName] = x, [MaxPoolProbe.OutputGradName] = restOut[PoolSplitNames.PoolOutputGrad] })[MaxPoolProbe.OutputName];
        var backFeeds = Only(back, feeds);
        backFeeds[PoolSplitNames.PoolInputGrad] = dx;
        var grad = back.Run(backFeeds)[GraphNames.Grad];

        output.WriteLine($"{name} {h}x{w}: pool {split.Pool.Format()}, pool input [{string.Join(",", x.Shape)}], " +
            $"parts {split.Pre.Graph.Node.Count}/{split.Rest.Graph.Node.Count}/{split.Back.Graph.Node.Count} nodes");
        Assert.Equal(whole[GraphNames.Loss].Data, restOut[GraphNames.Loss].Data);
        Assert.Equal(whole[GraphNames.Grad].Shape, grad.Shape);
        Assert.Equal(whole[GraphNames.Grad].Data, grad.Data);
    }

    [Theory]
    [MemberData(nameof(PoolNetworksAllSizes))]
    public void The_parts_hold_no_pool_or_scatter_of_the_split_pool(string name, int h, int w)
    {
        _ = (h, w);
        var network = TestNetworks.Get(name);
        var compiled = CompiledModels.Get(network, new DreamParameters([new TapWeight(network.DreamTap, TapWeight)]).Objective());
        if (PoolSplitter.TrySplit(compiled.Model) is not { } split) return;
        var pools = compiled.Model.Graph.Node.Count(n => n.OpType == "MaxPool");
        var scatters = compiled.Model.Graph.Node.Count(n => n.OpType == "ScatterElements");
        ModelProto[] parts = [split.Pre, split.Rest, split.Back];
        // The one graph's other pools stay in the rest, each with its scatter.
        Assert.Equal(pools - 1, parts.Sum(p => p.Graph.Node.Count(n => n.OpType == "MaxPool")));
        Assert.Equal(scatters - 1, parts.Sum(p => p.Graph.Node.Count(n => n.OpType == "ScatterElements")));
        Assert.Equal([GraphNames.Image], split.Pre.Graph.Input.Select(i => i.Name));
        Assert.Equal([PoolSplitNames.PoolInput], split.Pre.Graph.Output.Select(o => o.Name));
        Assert.Contains(split.Pre.MetadataProps, e => e.Key == PoolSplitNames.GeometryMetadataKey && MaxPoolGeometry.Parse(e.Value) == split.Pool);
        Assert.Contains(PoolSplitNames.PoolOutput, split.Rest.Graph.Input.Select(i => i.Name));
        Assert.Equal([GraphNames.Loss, PoolSplitNames.PoolOutputGrad], split.Rest.Graph.Output.Select(o => o.Name));
        Assert.Contains(PoolSplitNames.PoolInputGrad, split.Back.Graph.Input.Select(i => i.Name));
        Assert.Equal([GraphNames.Grad], split.Back.Graph.Output.Select(o => o.Name));
    }

    [Fact]
    public void A_graph_without_a_max_pool_is_not_split()
    {
        var network = TestNetworks.Names.Select(TestNetworks.Get).First(n => !HasMaxPool(n));
        var compiled = CompiledModels.Get(network, new DreamParameters([new TapWeight(network.DreamTap, TapWeight)]).Objective());
        Assert.Null(PoolSplitter.TrySplit(compiled.Model));
    }

    [Fact]
    public void Geometry_round_trips_through_its_metadata_form()
    {
        var geometry = new MaxPoolGeometry(3, 2, 2, 1, 1, 0, 0, 1, CeilMode: true);
        Assert.Equal(geometry, MaxPoolGeometry.Parse(geometry.Format()));
    }

    private static Dictionary<string, OrtTensor> Only(OrtRunner runner, Dictionary<string, OrtTensor> feeds) =>
        feeds.Where(f => runner.InputMetadata.ContainsKey(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
}
