using NeuralArt.Graphs.Analysis;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Reference;

namespace NeuralArt.Graphs.Tests.Analysis;

/// <summary>The benchmark's convolution probe: a valid graph that computes chained 3x3 convolutions, with its cost counted right.</summary>
public sealed class ConvolutionProbeTests
{
    private const int Channels = 5;
    private const int Layers = 3;

    [Fact]
    public void Probe_runs_in_onnx_runtime_and_matches_the_float64_reference()
    {
        var model = ConvolutionProbe.Build(Channels, Layers);
        var random = new Random(7);
        var input = Enumerable.Range(0, Channels * 9 * 11).Select(_ => random.NextDouble()).ToArray();
        var expected = new ReferenceModel(model).Run(new RefTensor([1, Channels, 9, 11], input), [ConvolutionProbe.OutputName])[ConvolutionProbe.OutputName];
        using var ort = new OrtRunner(model);
        var actual = ort.Run(ConvolutionProbe.InputName, new OrtTensor(input.Select(v => (float)v).ToArray(), [1, Channels, 9, 11]))[ConvolutionProbe.OutputName];

        Assert.Equal([1, Channels, 9, 11], actual.IntShape);
        var scale = expected.Data.Max(Math.Abs);
        Assert.True(scale > 0);
        for (var i = 0; i < actual.Data.Length; i++) Assert.InRange(Math.Abs(actual.Data[i] - expected.Data[i]), 0, 1e-5 * scale);
    }

    [Fact]
    public void Probe_cost_agrees_with_the_cost_model()
    {
        var manifest = new BackboneManifest
        {
            Name = "probe",
            Backbone = "probe.onnx",
            Input = ConvolutionProbe.InputName,
            Taps = new Dictionary<string, string> { ["out"] = ConvolutionProbe.OutputName },
        };
        Assert.Equal(ConvolutionProbe.Macs(Channels, Layers, 13, 17),
            ConvolutionCost.Of(ConvolutionProbe.Build(Channels, Layers), manifest, ["out"]).ForwardMacs(13, 17));
    }
}
