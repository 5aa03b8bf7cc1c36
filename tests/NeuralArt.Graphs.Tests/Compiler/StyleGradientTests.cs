using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>
/// The compiled style objective (Gram, content and total-variation terms, with each smoothing) on the
/// random small networks with several taps: loss parts against the float64 reference, gradient
/// against its central finite differences.
/// </summary>
public sealed class StyleGradientTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> NetworksAndSmoothings()
    {
        var data = new TheoryData<string, string>();
        foreach (var network in TestNetworks.WithMultiTap)
        {
            foreach (var smoothing in new[] { "none", "scale", "softmax" }) data.Add(network.Name, smoothing);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NetworksAndSmoothings))]
    public void Style_gradient_matches_finite_differences(string name, string smoothingMode)
    {
        var network = TestNetworks.Get(name);
        var taps = network.MultiTap!.Select(t => t.Tap).ToList();
        // Smooth the deepest tap (as on ResNet), with a factor and a temperature that keep it informative.
        StyleSmoothing? smoothing = smoothingMode switch
        {
            "scale" => new StyleSmoothing(StyleSmoothingMode.Scale, Factor: 0.5f, Taps: [taps[^1]]),
            "softmax" => new StyleSmoothing(StyleSmoothingMode.Softmax, Temperature: 2f, Taps: [taps[^1]]),
            _ => null,
        };
        var objective = new StyleObjective(taps, [taps[^1]], smoothing);
        var (h, w) = network.Sizes[0];
        var reference = new StyleReference(CompiledModels.Reference(network), network.Manifest, objective, h, w);
        StyleCheck.Run(output, CompiledModels.Get(network, objective), reference, h, w, seed: 11,
            randomDirections: 3, randomPixels: 3, gradientTolerance: DreamCheck.GradientTolerance);
    }
}
