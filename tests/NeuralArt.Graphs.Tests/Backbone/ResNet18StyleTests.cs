using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Backbone;

/// <summary>
/// The compiled style objective on the shipped ResNet-18 with the style engine's taps (stem, layer1
/// to layer4; content layer3): loss parts against the float64 reference, and the gradient against
/// float64 finite differences along random directions and at sampled pixels (corners, the largest
/// entry, random ones).
/// </summary>
public sealed class ResNet18StyleTests(ResNet18Fixture resnet, ITestOutputHelper output) : IClassFixture<ResNet18Fixture>
{
    private static readonly string[] StyleTaps = ["stem", "layer1", "layer2", "layer3", "layer4"];

    /// <summary>Same bound as the dream gradient on this backbone (<c>ReferenceGradientTolerance</c>).</summary>
    private const double GradientTolerance = 1e-3;

    [Theory]
    [InlineData("scale")]
    [InlineData("softmax")]
    public void Style_gradient_matches_float64_finite_differences_at_sampled_pixels(string mode)
    {
        // 40x56: every tap keeps a spatial extent (layer4 is 2x2), and the float64 reference stays fast.
        const int h = 40, w = 56;
        var smoothing = mode == "scale"
            ? new StyleSmoothing(StyleSmoothingMode.Scale, 1e-3f, Taps: ["layer3", "layer4"])
            : new StyleSmoothing(StyleSmoothingMode.Softmax, Temperature: 10f, Taps: ["layer3", "layer4"]);
        var objective = new StyleObjective(StyleTaps, ["layer3"], smoothing);
        var reference = new StyleReference(resnet.Reference, resnet.Manifest, objective, h, w);
        StyleCheck.Run(output, resnet.Compiled(objective), reference, h, w, seed: 21,
            randomDirections: 1, randomPixels: 1, gradientTolerance: GradientTolerance);
    }
}
