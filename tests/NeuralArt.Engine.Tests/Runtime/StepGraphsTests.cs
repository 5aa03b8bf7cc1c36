using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Runtime;

public class StepGraphsTests : IDisposable
{
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });

    public void Dispose() => _pool.Dispose();

    private static OrtValue Floats(float[] data, long[] shape)
    {
        var v = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, shape);
        data.CopyTo(v.GetTensorMutableDataAsSpan<float>());
        return v;
    }

    private static OrtValue Shift(long value) => OrtValue.CreateTensorValueFromMemory(new[] { value }, [1]);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 5)]
    [InlineData(6, 10)]
    [InlineData(1, 0)]
    public void Roll_graph_matches_numpy_roll(int dy, int dx)
    {
        using var lease = _pool.RentBuilt("test:roll", StepGraphs.Roll);
        var session = lease.Session.Session;
        var image = TestImages.RandomTensor(7, 11, seed: 40);
        using var x = Floats(image.Data, image.Shape);
        using var sh = Shift(dy);
        using var sw = Shift(dx);
        using var options = new RunOptions();

        using var outputs = session.Run(options, [StepGraphs.Image, StepGraphs.ShiftH, StepGraphs.ShiftW], [x, sh, sw], [StepGraphs.Rolled]);

        Assert.Equal(TensorOps.Roll(image, dy, dx).Data, outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void Ascend_graph_unrolls_normalizes_adds_and_clamps()
    {
        using var lease = _pool.RentBuilt("test:ascend", StepGraphs.Ascend);
        var session = lease.Session.Session;
        var image = TestImages.RandomTensor(6, 9, seed: 41);
        var grad = TestImages.RandomTensor(6, 9, seed: 42);
        for (var i = 0; i < grad.Data.Length; i++) grad.Data[i] -= 0.5f;
        const int unrollH = 4, unrollW = 7;
        const float step = 0.3f;
        using var x = Floats(image.Data, image.Shape);
        using var g = Floats(grad.Data, grad.Shape);
        using var sh = Shift(unrollH);
        using var sw = Shift(unrollW);
        using var s = Floats([step], [1]);
        using var options = new RunOptions();

        using var outputs = session.Run(options,
            [StepGraphs.Image, StepGraphs.Grad, StepGraphs.ShiftH, StepGraphs.ShiftW, StepGraphs.Step], [x, g, sh, sw, s], [StepGraphs.Next]);

        var expected = image.Clone();
        var scale = (float)(step / TensorOps.MeanAbs(grad.Data));
        // Unrolling by (H - dy, W - dx) is adding the gradient of the image rolled by (dy, dx).
        TensorOps.AddRolledScaled(expected, grad.Data, 6 - unrollH, 9 - unrollW, scale);
        TensorOps.Clamp(expected, 0f, 1f);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.All(actual, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(expected.Data, actual, (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.Contains(actual, v => v is 0f or 1f);
    }
}
