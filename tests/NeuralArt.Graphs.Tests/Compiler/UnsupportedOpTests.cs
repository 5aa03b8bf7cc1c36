using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>
/// An op outside the supported list on the way to a tap is a <see cref="GraphCompilationException"/>
/// that names the op and the node; the same op after the taps is cut away, not an error.
/// </summary>
public sealed class UnsupportedOpTests(ITestOutputHelper output)
{
    [Fact]
    public void Softmax_before_the_tap_is_rejected_naming_op_and_node()
    {
        var network = SpecialNetworks.SoftmaxBeforeTap();
        var node = network.Model.Graph.Node.Single(n => n.OpType == "Softmax");
        var error = Assert.Throws<GraphCompilationException>(() =>
            ModelCompiler.Compile(network.Model, network.Manifest, new DreamObjective(["out"])));
        output.WriteLine(error.Message);
        Assert.Contains("Softmax", error.Message, StringComparison.Ordinal);
        Assert.Contains(node.Name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gemm_head_before_the_tap_is_rejected_naming_an_unsupported_op_and_its_node()
    {
        // GlobalAveragePool -> Flatten -> Gemm: Flatten comes first, so the compiler may name either.
        var network = SpecialNetworks.GemmBeforeTap();
        var unsupported = network.Model.Graph.Node.Where(n => n.OpType is "Flatten" or "Gemm").ToList();
        var error = Assert.Throws<GraphCompilationException>(() =>
            ModelCompiler.Compile(network.Model, network.Manifest, new DreamObjective(["logits"])));
        output.WriteLine(error.Message);
        Assert.Contains(unsupported, n =>
            error.Message.Contains(n.OpType, StringComparison.Ordinal) && error.Message.Contains(n.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void Features_objective_also_rejects_an_unsupported_op_before_the_tap()
    {
        var network = SpecialNetworks.SoftmaxBeforeTap();
        var error = Assert.Throws<GraphCompilationException>(() =>
            ModelCompiler.Compile(network.Model, network.Manifest, new FeaturesObjective(["out"])));
        Assert.Contains("Softmax", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classifier_after_the_tap_is_cut_away()
    {
        var network = SpecialNetworks.ClassifierAfterTap();
        DreamCheck.Run(output, network, new DreamParameters([new TapWeight(network.DreamTap, 1f)]), 13, 10);
    }

    [Fact]
    public void Unknown_tap_is_rejected_naming_the_known_taps()
    {
        var network = TestNetworks.Get("vgg");
        var error = Assert.Throws<GraphCompilationException>(() =>
            ModelCompiler.Compile(network.Model, network.Manifest, new DreamObjective(["block9"])));
        Assert.Contains("block9", error.Message, StringComparison.Ordinal);
        Assert.Contains("block2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Channel_outside_the_tap_is_rejected()
    {
        // vgg's block1 has 8 channels: the mask input declares them, so a selection past them is refused
        // before any run, and a mask of another length fails the run instead of reading garbage.
        var network = TestNetworks.Get("vgg");
        var compiled = CompiledModels.Get(network, new DreamObjective(["block1"]));
        Assert.Equal([1, 8, 1, 1], compiled.Runner.InputMetadata[DreamGraphNames.ChannelMask("block1")].Dimensions);

        var ex = Assert.Throws<ArgumentException>(() => DreamCheck.Feeds(compiled.Runner, new DreamParameters([new TapWeight("block1", 1f)], [3, 8])));
        Assert.Contains("Channel 8", ex.Message, StringComparison.Ordinal);

        var feeds = DreamCheck.Feeds(compiled.Runner, new DreamParameters([new TapWeight("block1", 1f)]));
        feeds[DreamGraphNames.ChannelMask("block1")] = new OrtTensor(new float[9], [1, 9, 1, 1]);
        var (image, _) = TestImages.Random(8, 8, seed: 1);
        feeds[GraphNames.Image] = TestImages.Tensor(image, 8, 8);
        var runError = Record.Exception(() => compiled.Runner.Run(feeds));
        output.WriteLine(runError?.Message ?? "no error");
        Assert.NotNull(runError);
    }
}
