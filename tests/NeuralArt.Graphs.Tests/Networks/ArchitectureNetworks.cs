using static NeuralArt.Graphs.Tests.Networks.OpNetworks;

namespace NeuralArt.Graphs.Tests.Networks;

/// <summary>Miniature versions of the CNN shapes users bring: VGG, GoogLeNet, ResNet, and an old-opset export.</summary>
internal static class ArchitectureNetworks
{
    public static IEnumerable<TestNetwork> All()
    {
        yield return Vgg();
        yield return Inception();
        yield return InceptionV3Network.Build();
        yield return Residual();
        yield return ResidualCntk();
        yield return LegacyOpset8();
    }

    private static TestNetwork Vgg()
    {
        var b = new NetBuilder("vgg", seed: 31);
        string ConvRelu(string x, int cin, int cout) => b.Relu(b.Conv(x, cin, cout, [3, 3], pads: [1, 1, 1, 1]));
        var block1 = ConvRelu(ConvRelu(NetBuilder.InputName, 3, 8), 8, 8);
        var block2 = ConvRelu(ConvRelu(b.MaxPool(block1, [2, 2], [2, 2]), 8, 12), 12, 12);
        var block3 = ConvRelu(b.MaxPool(block2, [2, 2], [2, 2]), 12, 16);
        return new TestNetwork("vgg", b.Build([block1, block2, block3]),
            Taps(("block1", block1), ("block2", block2), ("block3", block3)), "block2", Skewed)
        {
            MultiTap = [new("block1", 0.5f), new("block2", 1f), new("block3", 2f)],
            Channels = [0, 3, 5, 7],
        };
    }

    private static TestNetwork Inception()
    {
        // GoogLeNet's stem (conv 7x7/2, max pool 3x3/2, LRN, 1x1, 3x3, LRN, max pool) and one
        // inception block whose branches meet in a Concat, plus an average-pool branch.
        var b = new NetBuilder("inception", seed: 32);
        string ConvRelu(string x, int cin, int cout, int k, int pad) =>
            b.Relu(b.Conv(x, cin, cout, [k, k], pads: [pad, pad, pad, pad]));
        var stem = b.Relu(b.Conv(NetBuilder.InputName, 3, 8, [7, 7], strides: [2, 2], pads: [3, 3, 3, 3]));
        var pooled = b.Lrn(b.MaxPool(stem, [3, 3], [2, 2], [0, 0, 1, 1]), 5, 1e-2f, 0.75f, 1f);
        var reduced = b.Lrn(ConvRelu(ConvRelu(pooled, 8, 8, 1, 0), 8, 12, 3, 1), 5, 1e-2f, 0.75f, 2f);
        var input = b.MaxPool(reduced, [3, 3], [2, 2], [1, 1, 1, 1]);
        var b1 = ConvRelu(input, 12, 4, 1, 0);
        var b2 = ConvRelu(ConvRelu(input, 12, 4, 1, 0), 4, 6, 3, 1);
        var b3 = ConvRelu(ConvRelu(input, 12, 2, 1, 0), 2, 3, 5, 2);
        var b4 = ConvRelu(b.MaxPool(input, [3, 3], [1, 1], [1, 1, 1, 1]), 12, 3, 1, 0);
        var b5 = ConvRelu(b.AveragePool(input, [3, 3], [1, 1], [1, 1, 1, 1]), 12, 2, 1, 0);
        var mixed = b.Concat(b1, b2, b3, b4, b5);
        return new TestNetwork("inception", b.Build([reduced, mixed]), Taps(("stem", reduced), ("mixed", mixed)), "mixed", Skewed)
        {
            MultiTap = [new("stem", 0.3f), new("mixed", 1f)],
            Channels = [1, 2, 9],
        };
    }

    private static TestNetwork Residual()
    {
        // torchvision-style BasicBlocks (symmetric pads): identity shortcut, then a stride-2 block
        // with a 1x1/2 projection shortcut; batch norm everywhere.
        var b = new NetBuilder("residual", seed: 33);
        var (block1, block2) = ResidualBlocks(b, downPads: [1, 1, 1, 1]);
        return new TestNetwork("residual", b.Build([block1, block2]), Taps(("block1", block1), ("block2", block2)), "block2", Skewed)
        {
            MultiTap = [new("block1", 1f), new("block2", 0.5f)],
            Channels = [2, 5],
        };
    }

    /// <summary>
    /// The same blocks with CNTK's asymmetric pads ([1,1,0,0] on the stride-2 conv): at odd sizes the
    /// original graph breaks (the shortcut and the main path differ by one), so only the compiler's
    /// symmetric pad rewrite makes it run. The reference applies the same rewrite.
    /// </summary>
    private static TestNetwork ResidualCntk()
    {
        var b = new NetBuilder("residual-cntk", seed: 33);
        var (block1, block2) = ResidualBlocks(b, downPads: [1, 1, 0, 0]);
        return new TestNetwork("residual-cntk", b.Build([block1, block2]), Taps(("block1", block1), ("block2", block2)), "block2", Skewed,
            SymmetricPads: true);
    }

    private static (string Block1, string Block2) ResidualBlocks(NetBuilder b, int[] downPads)
    {
        string ConvBn(string x, int cin, int cout, int k, int stride, int[] pads) =>
            b.BatchNorm(b.Conv(x, cin, cout, [k, k], strides: [stride, stride], pads: pads, bias: false), cout);
        int[] same = [1, 1, 1, 1];
        var stem = b.Relu(ConvBn(NetBuilder.InputName, 3, 8, 3, 1, same));
        var main1 = ConvBn(b.Relu(ConvBn(stem, 8, 8, 3, 1, same)), 8, 8, 3, 1, same);
        var block1 = b.Relu(b.Add(main1, stem));
        var main2 = ConvBn(b.Relu(ConvBn(block1, 8, 12, 3, 2, downPads)), 12, 12, 3, 1, same);
        var shortcut = ConvBn(block1, 8, 12, 1, 2, [0, 0, 0, 0]);
        var block2 = b.Relu(b.Add(main2, shortcut));
        return (block1, block2);
    }

    private static TestNetwork LegacyOpset8()
    {
        // An old exporter's dialect: IR 3 (initializers listed as graph inputs), opset 8, Clip, Pad and
        // Dropout with attributes instead of inputs, BatchNormalization with 'spatial'.
        var b = new NetBuilder("legacy-opset8", seed: 34, opset: 8, irVersion: 3);
        var c = b.Conv(NetBuilder.InputName, 3, 6, [3, 3], strides: [2, 2], pads: [1, 1, 0, 0]);
        var bn = b.BatchNorm(c, 6);
        var clip = b.Clip(bn, -0.5f, 1f);
        var pad = b.Pad(clip, [0, 0, 1, 0, 0, 0, 0, 1], 0.25f);
        var dropped = b.Dropout(pad);
        var pooled = b.MaxPool(dropped, [3, 3], [1, 1], [1, 1, 1, 1]);
        var out_ = b.Conv(pooled, 6, 4, [3, 3], pads: [1, 1, 1, 1]);
        return new TestNetwork("legacy-opset8", b.Build([out_]), Taps(("out", out_)), "out", Skewed);
    }
}
