using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// Reusable input and output buffers for one image size, bound once to an ONNX Runtime
/// <see cref="OrtIoBinding"/>: write the planar [1,3,H,W] image into <see cref="Input"/>, run, read
/// <see cref="Grad"/>. The buffers are ONNX Runtime allocations (aligned, see
/// <see cref="AlignedValues"/>), so nothing is allocated per iteration; on CUDA, ONNX Runtime copies
/// the input to the device and the gradient back within the run. Owned by <see cref="GradientRunner"/>.
/// </summary>
public sealed class GradientBuffers : IDisposable
{
    /// <param name="session">The one graph's session, bound to <see cref="Binding"/>; null for a runner of the pool-split graph alone.</param>
    internal GradientBuffers(InferenceSession? session, int height, int width, long[] lossShape)
    {
        Height = height;
        Width = width;
        long[] shape = [1, ImageTensor.Channels, height, width];
        InputValue = AlignedValues.Allocate(shape);
        GradValue = AlignedValues.Allocate(shape);
        LossValue = AlignedValues.Allocate(lossShape);
        Binding = session?.CreateIoBinding();
    }

    public int Height { get; }

    public int Width { get; }

    /// <summary>The image the next run reads, planar [1,3,H,W].</summary>
    public Span<float> Input => InputValue.GetTensorMutableDataAsSpan<float>();

    /// <summary>The gradient the last run wrote, planar [1,3,H,W].</summary>
    public ReadOnlySpan<float> Grad => GradValue.GetTensorDataAsSpan<float>();

    /// <summary>The loss the last run wrote.</summary>
    public float Loss => LossValue.GetTensorDataAsSpan<float>()[0];

    internal OrtValue InputValue { get; }

    internal OrtValue GradValue { get; }

    internal OrtValue LossValue { get; }

    /// <summary>The one graph's binding of these buffers (null without the one graph).</summary>
    internal OrtIoBinding? Binding { get; }

    /// <summary>Which version of the runner's extra inputs is bound (rebinds when they change).</summary>
    internal int BoundExtrasVersion { get; set; } = -1;

    /// <summary>The pool-split step of this size, when the runner runs the pool in managed code (created on first run).</summary>
    internal PoolSplitStep? Split { get; set; }

    /// <summary>The shape of the split pool's input at this size ([N,C,H,W]), once a pool-split step has run; else null.</summary>
    public IReadOnlyList<long>? PoolInputShape => Split?.InputShape;

    public void Dispose()
    {
        Split?.Dispose();
        Binding?.Dispose();
        InputValue.Dispose();
        GradValue.Dispose();
        LossValue.Dispose();
    }
}
