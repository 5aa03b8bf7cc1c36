using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Reference;

/// <summary>
/// The float64 reference is only ground truth if it computes what ONNX Runtime computes: every test
/// network, run uncompiled on ONNX Runtime, must give the reference's tap tensors. This keeps a
/// reference bug from being reported as a compiler bug.
/// </summary>
public sealed class ReferenceModelTests(ITestOutputHelper output)
{
    /// <summary>float32 against float64 on a few layers: a few float32 ulps of the tensor's scale.</summary>
    private const double Tolerance = 1e-5;

    public static TheoryData<string, int, int> Cases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var name in TestNetworks.Names)
        {
            foreach (var (h, w) in TestNetworks.Get(name).Sizes)
            {
                // The CNTK-padded residual net only runs uncompiled where its shortcut shapes agree.
                if (TestNetworks.Get(name).SymmetricPads && (h % 2 == 1 || w % 2 == 1)) continue;
                data.Add(name, h, w);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_matches_onnx_runtime_on_the_original_network(string name, int h, int w)
    {
        var network = TestNetworks.Get(name);
        var reference = new ReferenceModel(network.Model, symmetricPads: false);
        var (_, image) = TestImages.Random(h, w, seed: 7);
        var input = ReferenceObjectives.Preprocess(new RefTensor([1, 3, h, w], image), network.Preprocessing);
        // Both sides get the same float32 input.
        var input32 = input.ToFloats();
        var input64 = RefTensor.FromFloats(input32, input.Shape);

        var outputs = network.Model.Graph.Output.Select(o => o.Name).ToList();
        using var runner = new OrtRunner(network.Model);
        var actual = runner.Run(NetBuilder.InputName, new OrtTensor(input32, [1, 3, h, w]), outputs);
        var expected = reference.Run(input64, outputs);

        foreach (var tensor in outputs)
        {
            var e = expected[tensor];
            var a = actual[tensor];
            Assert.Equal(e.Shape, a.IntShape);
            var scale = Math.Max(e.MaxAbs(), 1e-12);
            var maxDiff = e.Data.Zip(a.Data, (x, y) => Math.Abs(x - y)).Max();
            output.WriteLine($"{name} {h}x{w} {tensor} [{string.Join(",", e.Shape)}]: max |diff| / scale = {maxDiff / scale:E2}");
            Assert.True(maxDiff <= Tolerance * scale, $"{name} {h}x{w} {tensor}: max |diff| {maxDiff:E3} over scale {scale:E3}.");
        }
    }
}
