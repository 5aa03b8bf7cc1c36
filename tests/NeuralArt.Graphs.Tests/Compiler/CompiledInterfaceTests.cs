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
        var compiled = CompiledModels.Get(network, new DreamObjective([new TapWeight("block2", 1f)]));

        var input = Assert.Single(compiled.Runner.InputMetadata);
        Assert.Equal(GraphNames.Image, input.Key);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Equal(4, input.Value.Dimensions.Length);
        Assert.Equal(1, input.Value.Dimensions[0]);
        Assert.Equal(3, input.Value.Dimensions[1]);
        Assert.True(input.Value.Dimensions[2] < 0 && input.Value.Dimensions[3] < 0, "H and W must be dynamic.");
        Assert.Equal([GraphNames.Grad, GraphNames.Loss], compiled.Runner.OutputMetadata.Keys.Order(StringComparer.Ordinal));

        foreach (var (h, w) in new[] { (8, 8), (13, 21), (30, 9) })
        {
            var (image, _) = TestImages.Random(h, w, seed: h + w);
            var result = compiled.Runner.Run(GraphNames.Image, TestImages.Tensor(image, h, w));
            Assert.Empty(result[GraphNames.Loss].Shape);
            Assert.Equal([1L, 3, h, w], result[GraphNames.Grad].Shape);
        }
    }

    [Fact]
    public void Compiling_does_not_modify_the_backbone()
    {
        var network = TestNetworks.Get("residual-cntk");
        var model = network.Model.Clone();
        ModelCompiler.Compile(model, network.Manifest, new DreamObjective([new TapWeight("block2", 1f)]));
        Assert.Equal(network.Model, model);
    }

    [Fact]
    public void Guided_graph_takes_one_guide_input_per_tap()
    {
        var network = TestNetworks.Get("vgg");
        var compiled = CompiledModels.Get(network, new GuidedDreamObjective([new TapWeight("block1", 1f), new TapWeight("block3", 0.5f)]));
        Assert.Equal(
            [GraphNames.GuidePrefix + "block1", GraphNames.GuidePrefix + "block3", GraphNames.Image],
            compiled.Runner.InputMetadata.Keys.Order(StringComparer.Ordinal));
    }
}
