using NeuralArt.Graphs.Analysis;
using NeuralArt.Graphs.Tests.Backbone;
using NeuralArt.Graphs.Tests.Networks;

namespace NeuralArt.Graphs.Tests.Analysis;

/// <summary>The multiply-add counts the benchmark's convolution floor rests on, against counts done by hand.</summary>
public sealed class ConvolutionCostTests(ResNet18Fixture resnet) : IClassFixture<ResNet18Fixture>
{
    // ResNet-18 to layer3, per conv: output pixels x Cout x Cin x kh x kw.
    // At 224: stem 112^2*64*3*49; layer1 4 x 56^2*64*64*9; layer2 28^2*128*64*9 + 3 x 28^2*128*128*9
    // + 28^2*128*64 (downsample); layer3 the same at 14^2 with twice the channels.
    [Theory]
    [InlineData(224, 224, 1_402_519_552L)]
    [InlineData(1024, 1024, 29_309_796_352L)]
    public void ResNet18_to_layer3_counts_every_convolution(int height, int width, long expected)
    {
        Assert.Equal(expected, ConvolutionCost.Of(resnet.Model.Clone(), resnet.Manifest, ["layer3"]).ForwardMacs(height, width));
    }

    [Fact]
    public void Strides_pads_and_oblong_kernels_follow_the_convolution_arithmetic()
    {
        // 17x23: 3x3/2 pads [1,1,0,0] -> 8x11, 6 x 3*3*3 each; 5x3 strides [2,1] pads [2,0,1,2] -> 4x11, 8 x 6*5*3 each.
        var net = TestNetworks.Get("conv-s2-asym");
        Assert.Equal(8 * 11 * 6 * 27 + 4 * 11 * 8 * 90, ConvolutionCost.Of(net.Model, net.Manifest, ["out"]).ForwardMacs(17, 23));
    }

    [Fact]
    public void Ceil_mode_pools_size_the_convolutions_after_them()
    {
        // 12x16: 3x3 conv (4 x 3*9 per pixel), 3x3/2 ceil pool -> 6x8 (floor would give 5x7), 1x1 conv 4 x 4.
        var net = TestNetworks.Get("maxpool-3x3s2-ceil");
        Assert.Equal(12 * 16 * 4 * 27 + 6 * 8 * 4 * 4, ConvolutionCost.Of(net.Model, net.Manifest, ["mix"]).ForwardMacs(12, 16));
    }
}
