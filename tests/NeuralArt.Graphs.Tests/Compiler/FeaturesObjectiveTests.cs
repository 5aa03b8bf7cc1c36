using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>The forward-only features graph returns each tap, named after it, equal to the float64 reference.</summary>
public sealed class FeaturesObjectiveTests(ITestOutputHelper output)
{
    /// <summary>float32 network against float64: max |diff| over the tap's max |value|.</summary>
    private const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(DreamGradientTests.AllNetworksAllSizes), MemberType = typeof(DreamGradientTests))]
    public void Features_match_the_reference_forward(string name, int h, int w)
    {
        var network = TestNetworks.Get(name);
        var taps = network.Taps.Keys.Order(StringComparer.Ordinal).ToList();
        var compiled = CompiledModels.Get(network, new FeaturesObjective(taps));
        var (image32, image64) = TestImages.Random(h, w, seed: 3 * h + w);

        var actual = compiled.Runner.Run(GraphNames.Image, TestImages.Tensor(image32, h, w));
        var expected = ReferenceLoss.Features(CompiledModels.Reference(network), network.Manifest, taps, image64, h, w);

        Assert.Equal(taps.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var tap in taps)
        {
            var e = expected[tap];
            var a = actual[tap];
            Assert.Equal(e.Shape, a.IntShape);
            var scale = Math.Max(e.MaxAbs(), 1e-12);
            var maxDiff = e.Data.Zip(a.Data, (x, y) => Math.Abs(x - y)).Max();
            output.WriteLine($"{name} {h}x{w} tap {tap} [{string.Join(",", e.Shape)}]: max |diff| / scale = {maxDiff / scale:E2}");
            Assert.True(maxDiff <= Tolerance * scale, $"{name} {h}x{w} tap {tap}: max |diff| {maxDiff:E3}, scale {scale:E3}.");
        }
    }
}
