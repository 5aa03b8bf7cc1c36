using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Tests.Runtime;

public class GradientRunnerTests : IDisposable
{
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });

    public void Dispose() => _pool.Dispose();

    /// <summary>
    /// The plain ONNX Runtime API (ORT-allocated outputs, no binding) as the reference for the bound
    /// runs. Inputs are copied into ORT-allocated (aligned) memory: some CPU kernels give last-bit
    /// differences for inputs at other alignments, and that is not what this test is about.
    /// </summary>
    private static (float Loss, float[] Grad) PlainRun(InferenceSession session, ImageTensor image, params (string Name, float[] Data, long[] Shape)[] extras)
    {
        var names = new List<string> { "image" };
        var values = new List<OrtValue> { Aligned(image.Data, image.Shape) };
        foreach (var (name, data, shape) in extras)
        {
            names.Add(name);
            values.Add(Aligned(data, shape));
        }
        try
        {
            using var options = new RunOptions();
            using var results = session.Run(options, names, values, ["loss", "grad"]);
            return (results[0].GetTensorDataAsSpan<float>()[0], results[1].GetTensorDataAsSpan<float>().ToArray());
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static OrtValue Aligned(float[] data, long[] shape)
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, shape);
        data.CopyTo(value.GetTensorMutableDataAsSpan<float>());
        return value;
    }

    [Fact]
    public void Bound_runs_match_plain_runs_across_sizes_and_reuse()
    {
        using var lease = _pool.Rent(ToyGraphs.DreamPath);
        var session = lease.Session;
        using var runner = new GradientRunner(session, maxCachedSizes: 2);
        DreamGraphInputs.Set(runner, new DreamParameters([new TapWeight(ToyGraphs.Tap, 1f)]), guided: false);

        foreach (var (h, w, seed) in new[] { (9, 14, 1), (16, 16, 2), (9, 14, 3), (5, 31, 4), (9, 14, 5) })
        {
            var image = TestImages.RandomTensor(h, w, seed);
            var buffers = runner.Buffers(h, w);
            image.Data.CopyTo(buffers.Input);

            var loss = runner.Run(buffers);

            var (expectedLoss, expectedGrad) = PlainRun(session.Session, image, ToyGraphs.DreamInputs());
            Assert.Equal(expectedLoss, loss);
            Assert.Equal(expectedGrad, buffers.Grad.ToArray());
            Assert.Contains(buffers.Grad.ToArray(), v => v != 0f);
        }
    }

    [Fact]
    public void Buffers_are_reused_for_a_size()
    {
        using var lease = _pool.Rent(ToyGraphs.DreamPath);
        using var runner = new GradientRunner(lease.Session);
        var first = runner.Buffers(8, 8);
        runner.Buffers(8, 9);
        Assert.Same(first, runner.Buffers(8, 8));
    }

    [Fact]
    public void Gradient_agrees_with_a_directional_finite_difference()
    {
        // Checks the harness itself: the toy graph's hand-written backward is its true gradient,
        // with a weight and a channel selection fed.
        using var lease = _pool.Rent(ToyGraphs.DreamPath);
        using var runner = new GradientRunner(lease.Session);
        DreamGraphInputs.Set(runner, new DreamParameters([new TapWeight(ToyGraphs.Tap, -1.7f)], [1, 3]), guided: false);
        var image = TestImages.RandomTensor(12, 10, seed: 11);
        var grad = new ImageTensor(12, 10);
        runner.Run(image, grad);
        var direction = TestImages.RandomTensor(12, 10, seed: 12);
        const float h = 1e-2f;
        var plus = image.Clone();
        var minus = image.Clone();
        TensorOps.AddScaled(plus.Data, direction.Data, h);
        TensorOps.AddScaled(minus.Data, direction.Data, -h);
        var scratch = new ImageTensor(12, 10);

        var finite = (runner.Run(plus, scratch) - (double)runner.Run(minus, scratch)) / (2 * h);
        var analytic = grad.Data.Zip(direction.Data, (g, d) => (double)g * d).Sum();

        Assert.InRange(Math.Abs(finite - analytic) / Math.Abs(analytic), 0, 2e-2);
    }

    [Fact]
    public void Extra_inputs_are_bound_and_required()
    {
        using var lease = _pool.Rent(ToyGraphs.GuidedPath);
        var session = lease.Session;
        using var runner = new GradientRunner(session);
        Assert.Equal(["guide.toy", DreamGraphNames.Weight(ToyGraphs.Tap)], runner.ExtraInputNames);
        var image = TestImages.RandomTensor(7, 9, seed: 13);
        var grad = new ImageTensor(7, 9);

        Assert.Throws<InvalidOperationException>(() => runner.Run(image, grad));

        var guide = TestImages.RandomTensor(5, 5, seed: 14).Data.Concat(new float[4 * 25 - 75]).ToArray();
        runner.SetExtraInput("guide.toy", guide, [1, 4, 5, 5]);
        Assert.Throws<InvalidOperationException>(() => runner.Run(image, grad));
        runner.SetExtraInput(DreamGraphNames.Weight(ToyGraphs.Tap), [0.6f], []);
        var loss = runner.Run(image, grad);
        var expected = PlainRun(session.Session, image, ("guide.toy", guide, [1, 4, 5, 5]), (DreamGraphNames.Weight(ToyGraphs.Tap), [0.6f], []));
        Assert.Equal(expected.Loss, loss);
        Assert.Equal(expected.Grad, grad.Data);
        Assert.Throws<ArgumentException>(() => runner.SetExtraInput("guide.nope", guide, [1, 4, 5, 5]));
    }

    [Fact]
    public void A_graph_without_the_gradient_interface_is_refused()
    {
        using var lease = _pool.Rent(ToyGraphs.FeaturesPath);
        var ex = Assert.Throws<InvalidOperationException>(() => new GradientRunner(lease.Session));
        Assert.Contains("not a gradient graph", ex.Message);
    }

    [Fact]
    public void Cancellation_before_a_run_throws()
    {
        using var lease = _pool.Rent(ToyGraphs.DreamPath);
        using var runner = new GradientRunner(lease.Session);
        var buffers = runner.Buffers(4, 4);
        Assert.Throws<OperationCanceledException>(() => runner.Run(buffers, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Feature_extractor_returns_the_taps()
    {
        using var lease = _pool.Rent(ToyGraphs.FeaturesPath);
        var maps = new FeatureExtractor(lease.Session).Run(TestImages.RandomTensor(6, 8, seed: 15));
        var map = Assert.Single(maps);
        Assert.Equal("toy", map.Name);
        Assert.Equal([1L, 4, 6, 8], map.Shape);
        Assert.All(map.Data, v => Assert.True(v >= 0f));
    }
}
