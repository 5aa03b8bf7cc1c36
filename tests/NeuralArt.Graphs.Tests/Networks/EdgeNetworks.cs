using Onnx;
using static NeuralArt.Graphs.Tests.Networks.OpNetworks;

namespace NeuralArt.Graphs.Tests.Networks;

/// <summary>
/// Corners of the ONNX spec that exporters produce and reverse-mode rules get wrong: a tensor used
/// twice by one node, two tap names for one tensor, auto_pad, omitted attributes and optional inputs.
/// </summary>
internal static class EdgeNetworks
{
    public static IEnumerable<TestNetwork> All()
    {
        yield return SameInputTwice();
        yield return TwoTapNamesOneTensor();
        yield return AutoPad();
        yield return ImplicitAttributes();
        yield return AveragePoolCeil("avgpool-3x3s2-ceil", pads: null, includePad: false);
        yield return AveragePoolCeil("avgpool-3x3s2-pad1-ceil-incl", pads: [1, 1, 1, 1], includePad: true);
        yield return AveragePoolStride1("avgpool-3x3s1-same", kernel: 3, pads: [1, 1, 1, 1], includePad: false);
        yield return AveragePoolStride1("avgpool-2x2s1-asym-incl", kernel: 2, pads: [0, 1, 1, 0], includePad: true);
        yield return AveragePoolStride1("avgpool-3x3s1-valid", kernel: 3, pads: [0, 0, 0, 0], includePad: false);
    }

    private static TestNetwork SameInputTwice()
    {
        // Mul(a, a) and Add(r, r): both inputs of the node are one tensor, so its gradient is the sum of both.
        var b = new NetBuilder("same-input-twice", seed: 51);
        var a = b.Conv(NetBuilder.InputName, 3, 4, [3, 3], pads: [1, 1, 1, 1]);
        var square = b.Mul(a, a);
        var r = b.Relu(a);
        var doubled = b.Add(r, r);
        var sum = b.Sum(square, doubled);
        return new TestNetwork("same-input-twice", b.Build([sum]), Taps(("out", sum)), "out", Skewed);
    }

    private static TestNetwork TwoTapNamesOneTensor()
    {
        // As in the shipped manifest ("layer3" and "layer3.1" name one tensor): weighting both must add up.
        var b = new NetBuilder("two-tap-names", seed: 52);
        var c = b.Relu(b.Conv(NetBuilder.InputName, 3, 4, [3, 3], pads: [1, 1, 1, 1]));
        var d = b.Conv(c, 4, 4, [3, 3], pads: [1, 1, 1, 1]);
        return new TestNetwork("two-tap-names", b.Build([c, d]), Taps(("block", d), ("block.last", d), ("early", c)), "block", Skewed)
        {
            MultiTap = [new("block", 1f), new("block.last", 0.5f), new("early", 0.25f)],
        };
    }

    private static TestNetwork AutoPad()
    {
        // Even kernels make SAME_UPPER and SAME_LOWER differ (total pad 3: 1+2 or 2+1); VALID drops the border.
        var b = new NetBuilder("auto-pad", seed: 53);
        var upper = b.Node("Conv", [NetBuilder.InputName, b.Initializer("w", [4, 3, 4, 4], b.Normal(4 * 3 * 16, 0.2))],
            NetBuilder.Ints("kernel_shape", [4, 4]), NetBuilder.String("auto_pad", "SAME_UPPER"));
        var lower = b.Node("Conv", [upper, b.Initializer("w", [4, 4, 2, 4], b.Normal(4 * 4 * 8, 0.25))],
            NetBuilder.Ints("kernel_shape", [2, 4]), NetBuilder.String("auto_pad", "SAME_LOWER"));
        var valid = b.Node("Conv", [lower, b.Initializer("w", [4, 4, 3, 3], b.Normal(4 * 4 * 9, 0.24))],
            NetBuilder.Ints("kernel_shape", [3, 3]), NetBuilder.String("auto_pad", "VALID"));
        return new TestNetwork("auto-pad", b.Build([valid]), Taps(("out", valid)), "out", Skewed);
    }

    private static TestNetwork ImplicitAttributes()
    {
        // Conv without kernel_shape (taken from the weight), LeakyRelu without alpha (0.01), Clip with
        // only a lower bound and Clip with only an upper bound (empty input name), Concat on axis -3.
        var b = new NetBuilder("implicit-attributes", seed: 54);
        var conv = b.Node("Conv", [NetBuilder.InputName, b.Initializer("w", [4, 3, 3, 3], b.Normal(4 * 27, 0.3))],
            NetBuilder.Ints("pads", [1, 1, 1, 1]));
        var leaky = b.Node("LeakyRelu", [conv]);
        var low = b.Node("Clip", [conv, b.Scalar("min", -0.3f)]);
        var high = b.Node("Clip", [conv, "", b.Scalar("max", 0.4f)]);
        var cat = b.Node("Concat", [leaky, low, high], NetBuilder.Int("axis", -3));
        var mix = b.Conv(cat, 12, 4, [1, 1]);
        return new TestNetwork("implicit-attributes", b.Build([mix]), Taps(("out", mix)), "out", Skewed);
    }

    /// <summary>
    /// Ceil mode adds a last window that hangs past the (padded) input at sizes where the stride does
    /// not divide evenly (12x16 here, not 17x23); its divisor counts only what it covers.
    /// </summary>
    private static TestNetwork AveragePoolCeil(string name, int[]? pads, bool includePad)
    {
        var b = new NetBuilder(name, seed: 55);
        var c = b.Conv(NetBuilder.InputName, 3, 4, [3, 3], pads: [1, 1, 1, 1]);
        var attributes = new List<AttributeProto>
        {
            NetBuilder.Ints("kernel_shape", [3, 3]), NetBuilder.Ints("strides", [2, 2]), NetBuilder.Int("ceil_mode", 1),
            NetBuilder.Int("count_include_pad", includePad ? 1 : 0),
        };
        if (pads is not null) attributes.Add(NetBuilder.Ints("pads", pads));
        var p = b.Node("AveragePool", [c], [.. attributes]);
        var mix = b.Conv(p, 4, 4, [1, 1]);
        return new TestNetwork(name, b.Build([mix]), Taps(("out", mix)), "out", Skewed);
    }

    /// <summary>
    /// Stride-1 average pools (Keras' "same" 3x3, an even kernel with Keras' asymmetric same pads
    /// counting them, and valid), whose backward is itself a pool.
    /// </summary>
    private static TestNetwork AveragePoolStride1(string name, int kernel, int[] pads, bool includePad)
    {
        var b = new NetBuilder(name, seed: 56);
        var c = b.Conv(NetBuilder.InputName, 3, 4, [3, 3], pads: [1, 1, 1, 1]);
        var p = b.AveragePool(c, [kernel, kernel], [1, 1], pads, countIncludePad: includePad);
        var mix = b.Conv(p, 4, 4, [1, 1]);
        return new TestNetwork(name, b.Build([mix]), Taps(("out", mix)), "out", Skewed);
    }
}
