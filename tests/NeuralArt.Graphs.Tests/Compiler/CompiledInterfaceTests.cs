using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>The compiled graphs' contract: names, element types, dynamic H and W, a scalar loss.</summary>
public sealed class CompiledInterfaceTests
{
    [Fact]
    public void Dream_graph_takes_a_dynamic_rgb_image_and_returns_a_scalar_loss_and_its_gradient()
    {
        var network = TestNetworks.Get("vgg");
        var compiled = CompiledModels.Get(network, new DreamObjective(["block2"]));

        Assert.Equal([DreamGraphNames.ChannelMask("block2"), DreamGraphNames.Weight("block2"), GraphNames.Image],
            compiled.Runner.InputMetadata.Keys.Order(StringComparer.Ordinal));
        var input = compiled.Runner.InputMetadata.Single(i => i.Key == GraphNames.Image);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Equal(4, input.Value.Dimensions.Length);
        Assert.Equal(1, input.Value.Dimensions[0]);
        Assert.Equal(3, input.Value.Dimensions[1]);
        Assert.True(input.Value.Dimensions[2] < 0 && input.Value.Dimensions[3] < 0, "H and W must be dynamic.");
        Assert.Equal([GraphNames.Grad, GraphNames.Loss], compiled.Runner.OutputMetadata.Keys.Order(StringComparer.Ordinal));

        foreach (var (h, w) in new[] { (8, 8), (13, 21), (30, 9) })
        {
            var (image, _) = TestImages.Random(h, w, seed: h + w);
            var feeds = DreamCheck.Feeds(compiled.Runner, new DreamParameters([new TapWeight("block2", 1f)]));
            feeds[GraphNames.Image] = TestImages.Tensor(image, h, w);
            var result = compiled.Runner.Run(feeds);
            Assert.Empty(result[GraphNames.Loss].Shape);
            Assert.Equal([1L, 3, h, w], result[GraphNames.Grad].Shape);
        }
    }

    [Fact]
    public void Compiling_does_not_modify_the_backbone()
    {
        var network = TestNetworks.Get("residual-cntk");
        var model = network.Model.Clone();
        ModelCompiler.Compile(model, network.Manifest, new DreamObjective(["block2"]));
        Assert.Equal(network.Model, model);
    }

    [Fact]
    public void Guided_graph_takes_one_guide_and_one_weight_input_per_tap()
    {
        var network = TestNetworks.Get("vgg");
        var compiled = CompiledModels.Get(network, new GuidedDreamObjective(["block3", "block1"]));
        Assert.Equal(
            [DreamGraphNames.Weight("block1"), DreamGraphNames.Weight("block3"), GraphNames.GuidePrefix + "block1", GraphNames.GuidePrefix + "block3", GraphNames.Image],
            compiled.Runner.InputMetadata.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Dream_weight_is_a_scalar_and_the_channel_mask_has_the_taps_channels()
    {
        // vgg's block1 has 8 channels, block2 12.
        var network = TestNetworks.Get("vgg");
        var compiled = CompiledModels.Get(network, new DreamObjective(["block2", "block1"]));
        foreach (var (tap, channels) in new[] { ("block1", 8), ("block2", 12) })
        {
            Assert.Empty(compiled.Runner.InputMetadata[DreamGraphNames.Weight(tap)].Dimensions);
            Assert.Equal([1, channels, 1, 1], compiled.Runner.InputMetadata[DreamGraphNames.ChannelMask(tap)].Dimensions);
        }
    }

    [Fact]
    public void Dream_graphs_are_keyed_by_the_set_of_taps_only()
    {
        Assert.Equal(new DreamObjective(["block1", "block2"]).CacheKey, new DreamObjective(["block2", "block1", "block2"]).CacheKey);
        Assert.NotEqual(new DreamObjective(["block1"]).CacheKey, new DreamObjective(["block1", "block2"]).CacheKey);
        Assert.NotEqual(new DreamObjective(["block1"]).CacheKey, new GuidedDreamObjective(["block1"]).CacheKey);
        // Weights and channels do not reach the objective at all.
        Assert.Equal(new DreamParameters([new TapWeight("block1", 0.3f)], [1, 2]).Objective(), new DreamParameters([new TapWeight("block1", 2f)]).Objective());
    }

    [Fact]
    public void A_tap_of_unknown_channel_count_takes_an_all_channel_mask_and_refuses_a_selection()
    {
        // "mul" scales its tap by a scalar initializer first: channel inference cannot see through that.
        var network = TestNetworks.Get("mul");
        var compiled = CompiledModels.Get(network, new DreamObjective([network.DreamTap]));
        Assert.Equal([1, -1, 1, 1], compiled.Runner.InputMetadata[DreamGraphNames.ChannelMask(network.DreamTap)].Dimensions);

        var all = DreamCheck.Feeds(compiled.Runner, new DreamParameters([new TapWeight(network.DreamTap, 1f)]));
        Assert.Equal([1L, 1, 1, 1], all[DreamGraphNames.ChannelMask(network.DreamTap)].Shape);
        var ex = Assert.Throws<ArgumentException>(() => DreamCheck.Feeds(compiled.Runner, new DreamParameters([new TapWeight(network.DreamTap, 1f)], [0])));
        Assert.Contains("channel count", ex.Message, StringComparison.Ordinal);
    }
}
