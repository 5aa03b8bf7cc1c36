using NeuralArt.Graphs.Backward;

namespace NeuralArt.Graphs.Tests.Networks;

/// <summary>One small network per supported op and configuration, each tapped right after it.</summary>
internal static class OpNetworks
{
    public static IEnumerable<TestNetwork> All()
    {
        yield return ConvStride1();
        yield return ConvStride2Asymmetric();
        yield return ConvStem7x7();
        yield return ConvStride2PerPhase();
        yield return ConvGroupsDilations();
        yield return BatchNorm();
        yield return Activations();
        yield return MaxPool("maxpool-3x3s2-pad1", [3, 3], [2, 2], [1, 1, 1, 1]);
        yield return MaxPool("maxpool-3x3s1-pad1", [3, 3], [1, 1], [1, 1, 1, 1]);
        yield return MaxPool("maxpool-2x2s2", [2, 2], [2, 2], null);
        yield return MaxPool("maxpool-3x3s2-asym", [3, 3], [2, 2], [1, 1, 0, 0]);
        yield return MaxPool("maxpool-3x3s2-ceil", [3, 3], [2, 2], null, ceilMode: true);
        yield return AveragePool("avgpool-3x3s2-pad1-excl", [3, 3], [2, 2], [1, 1, 1, 1], includePad: false);
        yield return AveragePool("avgpool-3x3s1-pad1-incl", [3, 3], [1, 1], [1, 1, 1, 1], includePad: true);
        yield return AveragePool("avgpool-2x2s2", [2, 2], [2, 2], null, includePad: false);
        yield return AveragePool("avgpool-3x2s2-asym-incl", [3, 2], [2, 2], [0, 1, 2, 0], includePad: true);
        yield return GlobalAveragePoolSqueezeExcite();
        yield return GlobalAveragePoolBroadcastAdd();
        yield return AddSum();
        yield return Sub();
        yield return Mul();
        yield return Concat();
        yield return Pad();
        yield return Lrn("lrn-5", 5);
        yield return Lrn("lrn-3", 3); // ONNX Runtime rejects even sizes.
        yield return IdentityDropout();
    }

    /// <summary>Image preprocessing with every knob away from its default, so a mix-up in the folding shows.</summary>
    public static Manifests.PreprocessingSpec Skewed => new()
    {
        ChannelOrder = "BGR",
        Scale = 2f,
        Mean = [0.3f, 1.1f, 0.6f],
        Std = [0.5f, 1.25f, 2f],
    };

    private static TestNetwork ConvStride1()
    {
        var b = new NetBuilder("conv-s1", seed: 11);
        var c1 = b.Conv(NetBuilder.InputName, 3, 6, [3, 3], pads: [1, 1, 1, 1]);
        var c2 = b.Conv(b.Relu(c1), 6, 5, [3, 3], pads: [1, 1, 1, 1]);
        return new TestNetwork("conv-s1", b.Build([c1, c2]), Taps(("conv1", c1), ("conv2", c2)), "conv2", Skewed)
        {
            MultiTap = [new("conv1", 0.7f), new("conv2", 1.3f)],
            Channels = [1, 4],
        };
    }

    private static TestNetwork ConvStride2Asymmetric()
    {
        var b = new NetBuilder("conv-s2-asym", seed: 12);
        var c1 = b.Conv(NetBuilder.InputName, 3, 6, [3, 3], strides: [2, 2], pads: [1, 1, 0, 0]);
        var c2 = b.Conv(b.Relu(c1), 6, 8, [5, 3], strides: [2, 1], pads: [2, 0, 1, 2]);
        return new TestNetwork("conv-s2-asym", b.Build([c2]), Taps(("out", c2)), "out", Skewed);
    }

    private static TestNetwork ConvStem7x7()
    {
        // The CNTK ResNet stem: 7x7/2, pads [3,3,2,2], no bias.
        var b = new NetBuilder("conv-stem7", seed: 13);
        var c = b.Conv(NetBuilder.InputName, 3, 8, [7, 7], strides: [2, 2], pads: [3, 3, 2, 2], bias: false);
        return new TestNetwork("conv-stem7", b.Build([c]), Taps(("stem", c)), "stem", Skewed);
    }

    private static TestNetwork ConvStride2PerPhase()
    {
        // 16 input channels and more: the backward runs one Conv per phase with exactly its taps.
        var b = new NetBuilder("conv-s2-per-phase", seed: 18);
        var wide = b.Relu(b.Conv(NetBuilder.InputName, 3, ConvolutionRule.SplitPhasesMinChannels, [3, 3], pads: [1, 1, 1, 1]));
        var square = b.Conv(wide, ConvolutionRule.SplitPhasesMinChannels, 6, [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]);
        var oblong = b.Conv(wide, ConvolutionRule.SplitPhasesMinChannels, 5, [5, 4], strides: [2, 2], pads: [2, 1, 1, 2]);
        return new TestNetwork("conv-s2-per-phase", b.Build([square, oblong]), Taps(("square", square), ("oblong", oblong)), "square", Skewed)
        {
            MultiTap = [new("square", 1f), new("oblong", 0.6f)],
        };
    }

    private static TestNetwork ConvGroupsDilations()
    {
        var b = new NetBuilder("conv-groups-dilations", seed: 14);
        var c1 = b.Conv(NetBuilder.InputName, 3, 6, [1, 1]);
        var grouped = b.Conv(c1, 6, 6, [3, 3], pads: [1, 1, 1, 1], group: 3);
        var depthwise = b.Conv(grouped, 6, 6, [3, 3], pads: [2, 2, 2, 2], dilations: [2, 2], group: 6);
        var mixed = b.Conv(depthwise, 6, 4, [3, 3], strides: [2, 2], dilations: [2, 1], pads: [1, 2, 2, 0]);
        return new TestNetwork("conv-groups-dilations", b.Build([mixed]), Taps(("out", mixed)), "out", Skewed);
    }

    private static TestNetwork BatchNorm()
    {
        var b = new NetBuilder("batchnorm", seed: 15);
        var c = b.Conv(NetBuilder.InputName, 3, 6, [3, 3], pads: [1, 1, 1, 1], bias: false);
        var bn = b.BatchNorm(c, 6);
        var r = b.Relu(bn);
        // The conv feeding the BN is a tap too: folding BN into it must not change what the tap reads.
        return new TestNetwork("batchnorm", b.Build([c, bn, r]), Taps(("conv", c), ("bn", bn), ("relu", r)), "relu", Skewed)
        {
            MultiTap = [new("conv", 0.5f), new("bn", 0.25f), new("relu", 1f)],
        };
    }

    private static TestNetwork Activations()
    {
        // LeakyRelu and Clip with bounds inside the activations' range, so both kinks are live.
        var b = new NetBuilder("activations", seed: 16);
        var c1 = b.Conv(NetBuilder.InputName, 3, 6, [3, 3], pads: [1, 1, 1, 1]);
        var leaky = b.LeakyRelu(c1, 0.1f);
        var c2 = b.Conv(leaky, 6, 6, [3, 3], pads: [1, 1, 1, 1]);
        var clip = b.Clip(c2, -0.6f, 0.8f);
        var c3 = b.Conv(clip, 6, 5, [3, 3], pads: [1, 1, 1, 1]);
        return new TestNetwork("activations", b.Build([leaky, clip, c3]), Taps(("leaky", leaky), ("clip", clip), ("out", c3)), "out", Skewed)
        {
            MultiTap = [new("leaky", 0.5f), new("clip", 2f), new("out", 1f)],
        };
    }

    private static TestNetwork MaxPool(string name, int[] kernel, int[] strides, int[]? pads, bool ceilMode = false)
    {
        // No ReLU before the pool: random conv outputs have no ties inside a window.
        var b = new NetBuilder(name, seed: 17);
        var c = b.Conv(NetBuilder.InputName, 3, 4, [3, 3], pads: [1, 1, 1, 1]);
        var p = b.MaxPool(c, kernel, strides, pads, ceilMode);
        var mix = b.Conv(p, 4, 4, [1, 1]);
        return new TestNetwork(name, b.Build([p, mix]), Taps(("pool", p), ("mix", mix)), "mix", Skewed);
    }

    private static TestNetwork AveragePool(string name, int[] kernel, int[] strides, int[]? pads, bool includePad)
    {
        var b = new NetBuilder(name, seed: 18);
        var c = b.Conv(NetBuilder.InputName, 3, 4, [3, 3], pads: [1, 1, 1, 1]);
        var p = b.AveragePool(c, kernel, strides, pads, includePad);
        var mix = b.Conv(p, 4, 4, [1, 1]);
        return new TestNetwork(name, b.Build([p, mix]), Taps(("pool", p), ("mix", mix)), "mix", Skewed);
    }

    private static TestNetwork GlobalAveragePoolSqueezeExcite()
    {
        // Squeeze-and-excitation shape: the feature map times its own global average (broadcast Mul).
        var b = new NetBuilder("gap-squeeze-excite", seed: 19);
        var r = b.Relu(b.Conv(NetBuilder.InputName, 3, 6, [3, 3], pads: [1, 1, 1, 1]));
        var gap = b.GlobalAveragePool(r);
        var scaled = b.Mul(r, gap);
        return new TestNetwork("gap-squeeze-excite", b.Build([gap, scaled]), Taps(("gap", gap), ("scaled", scaled)), "scaled", Skewed)
        {
            MultiTap = [new("gap", 3f), new("scaled", 1f)],
        };
    }

    private static TestNetwork GlobalAveragePoolBroadcastAdd()
    {
        // A global context vector added back to every position (broadcast Add of two activations).
        var b = new NetBuilder("gap-broadcast-add", seed: 26);
        var r = b.Relu(b.Conv(NetBuilder.InputName, 3, 5, [3, 3], pads: [1, 1, 1, 1]));
        var context = b.Conv(b.GlobalAveragePool(r), 5, 5, [1, 1]);
        var sum = b.Add(r, context);
        return new TestNetwork("gap-broadcast-add", b.Build([sum]), Taps(("sum", sum)), "sum", Skewed);
    }

    private static TestNetwork Sub()
    {
        var b = new NetBuilder("sub", seed: 27);
        var a = b.Conv(NetBuilder.InputName, 3, 5, [3, 3], pads: [1, 1, 1, 1]);
        var c = b.Conv(NetBuilder.InputName, 3, 5, [1, 1]);
        var difference = b.Relu(b.Sub(a, c));
        var centred = b.Sub(difference, b.Initializer("centre", [1, 5, 1, 1], b.Normal(5, 0.5)));
        return new TestNetwork("sub", b.Build([centred]), Taps(("out", centred)), "out", Skewed);
    }

    private static TestNetwork AddSum()
    {
        var b = new NetBuilder("add-sum", seed: 20);
        var a = b.Conv(NetBuilder.InputName, 3, 5, [3, 3], pads: [1, 1, 1, 1]);
        var c = b.Conv(NetBuilder.InputName, 3, 5, [1, 1]);
        var add = b.Add(a, c);
        var r = b.Relu(add);
        var d = b.Conv(r, 5, 5, [3, 3], pads: [1, 1, 1, 1]);
        var sum = b.Sum(add, d, r);
        return new TestNetwork("add-sum", b.Build([sum]), Taps(("sum", sum)), "sum", Skewed);
    }

    private static TestNetwork Mul()
    {
        var b = new NetBuilder("mul", seed: 21);
        var a = b.Conv(NetBuilder.InputName, 3, 5, [3, 3], pads: [1, 1, 1, 1]);
        var c = b.Conv(NetBuilder.InputName, 3, 5, [1, 1]);
        var product = b.Mul(a, c);
        var perChannel = b.Mul(product, b.Initializer("scale", [1, 5, 1, 1], b.Uniform(5, -1.5, 1.5)));
        var scalar = b.Mul(b.Scalar("half", 0.5f), perChannel);
        return new TestNetwork("mul", b.Build([scalar]), Taps(("out", scalar)), "out", Skewed);
    }

    private static TestNetwork Concat()
    {
        var b = new NetBuilder("concat", seed: 22);
        var a = b.Conv(NetBuilder.InputName, 3, 2, [1, 1]);
        var c = b.Conv(NetBuilder.InputName, 3, 3, [3, 3], pads: [1, 1, 1, 1]);
        var d = b.Conv(NetBuilder.InputName, 3, 4, [5, 5], pads: [2, 2, 2, 2]);
        var cat = b.Concat(a, c, d);
        var mix = b.Conv(cat, 9, 4, [1, 1]);
        return new TestNetwork("concat", b.Build([cat, mix]), Taps(("concat", cat), ("mix", mix)), "mix", Skewed)
        {
            MultiTap = [new("concat", 0.5f), new("mix", 1f)],
        };
    }

    private static TestNetwork Pad()
    {
        var b = new NetBuilder("pad", seed: 23);
        var c = b.Conv(NetBuilder.InputName, 3, 4, [3, 3]);
        var spatial = b.Pad(c, [0, 0, 1, 2, 0, 0, 2, 1], 0.5f);
        var channels = b.Pad(spatial, [0, 1, 0, 0, 0, 2, 0, 0], -0.25f);
        var out_ = b.Conv(channels, 7, 4, [3, 3], strides: [2, 2]);
        return new TestNetwork("pad", b.Build([spatial, out_]), Taps(("padded", spatial), ("out", out_)), "out", Skewed);
    }

    private static TestNetwork Lrn(string name, int size)
    {
        // alpha large enough that the normalization really bends the activations.
        var b = new NetBuilder(name, seed: 24);
        var c = b.Conv(NetBuilder.InputName, 3, 7, [3, 3], pads: [1, 1, 1, 1]);
        var lrn = b.Lrn(c, size, alpha: 0.5f, beta: 0.75f, bias: 1f);
        var mix = b.Conv(lrn, 7, 4, [1, 1]);
        return new TestNetwork(name, b.Build([lrn, mix]), Taps(("lrn", lrn), ("mix", mix)), "mix", Skewed);
    }

    private static TestNetwork IdentityDropout()
    {
        var b = new NetBuilder("identity-dropout", seed: 25);
        var c = b.Conv(NetBuilder.InputName, 3, 5, [3, 3], pads: [1, 1, 1, 1]);
        var dropped = b.Dropout(b.Identity(c), withMask: true);
        var c2 = b.Conv(dropped, 5, 4, [3, 3], pads: [1, 1, 1, 1]);
        var out_ = b.Dropout(c2);
        return new TestNetwork("identity-dropout", b.Build([out_]), Taps(("out", out_)), "out", Skewed);
    }

    internal static IReadOnlyDictionary<string, string> Taps(params (string Tap, string Tensor)[] taps) =>
        taps.ToDictionary(t => t.Tap, t => t.Tensor, StringComparer.Ordinal);
}
