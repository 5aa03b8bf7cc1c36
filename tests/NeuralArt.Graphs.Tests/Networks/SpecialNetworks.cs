using NeuralArt.Graphs.Manifests;
using static NeuralArt.Graphs.Tests.Networks.OpNetworks;

namespace NeuralArt.Graphs.Tests.Networks;

/// <summary>Networks for the error paths (unsupported ops) and for the guided-dream formula.</summary>
internal static class SpecialNetworks
{
    /// <summary>Softmax across channels between two convs: the tap depends on an op the compiler lacks.</summary>
    public static TestNetwork SoftmaxBeforeTap()
    {
        var b = new NetBuilder("softmax-before-tap", seed: 41);
        var c = b.Conv(NetBuilder.InputName, 3, 4, [3, 3], pads: [1, 1, 1, 1]);
        var s = b.Node("Softmax", [c], NetBuilder.Int("axis", 1));
        var out_ = b.Conv(s, 4, 4, [1, 1]);
        return new TestNetwork("softmax-before-tap", b.Build([out_]), Taps(("out", out_)), "out", Skewed);
    }

    /// <summary>A classifier head (GlobalAveragePool, Flatten, Gemm) with the tap on the logits.</summary>
    public static TestNetwork GemmBeforeTap() => ClassifierNet("gemm-before-tap", tapOnLogits: true);

    /// <summary>The same classifier head after the tap: the compiler must cut it away, not reject it.</summary>
    public static TestNetwork ClassifierAfterTap() => ClassifierNet("classifier-after-tap", tapOnLogits: false);

    private static TestNetwork ClassifierNet(string name, bool tapOnLogits)
    {
        const int classes = 5;
        var b = new NetBuilder(name, seed: 42);
        var features = b.Relu(b.Conv(NetBuilder.InputName, 3, 6, [3, 3], pads: [1, 1, 1, 1]));
        var flat = b.Node("Flatten", [b.GlobalAveragePool(features)], NetBuilder.Int("axis", 1));
        var weights = b.Initializer("fc_w", [classes, 6], b.Normal(classes * 6, 0.5));
        var fcBias = b.Initializer("fc_b", [classes], b.Normal(classes, 0.1));
        var logits = b.Node("Gemm", [flat, weights, fcBias], NetBuilder.Int("transB", 1));
        var probabilities = b.Node("Softmax", [logits], NetBuilder.Int("axis", 1));
        var taps = tapOnLogits ? Taps(("logits", logits)) : Taps(("features", features));
        return new TestNetwork(name, b.Build([features, probabilities]), taps, taps.Keys.Single(), Skewed);
    }

    /// <summary>
    /// The tap is the image itself (Identity, no preprocessing), so the guided gradient with respect
    /// to the image is the guided gradient with respect to the features: checkable by formula.
    /// </summary>
    public static TestNetwork IdentityTap()
    {
        var b = new NetBuilder("identity-tap", seed: 43);
        var id = b.Identity(NetBuilder.InputName);
        return new TestNetwork("identity-tap", b.Build([id]), Taps(("image", id)), "image", new PreprocessingSpec());
    }
}
