using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// Reusable input and output buffers for one image size, bound once to an ONNX Runtime
/// <see cref="OrtIoBinding"/>: write the image into <see cref="Input"/>, run, read <see cref="Grad"/>.
/// The OrtValues wrap (and pin) the managed arrays, so no tensor is allocated per iteration; on
/// CUDA, ONNX Runtime copies the input to the device and the gradient back within the run.
/// Created and owned by <see cref="GradientRunner"/>.
/// </summary>
public sealed class GradientBuffers : IDisposable
{
    private readonly float[] _loss = new float[1];

    internal GradientBuffers(InferenceSession session, int height, int width, long[] lossShape)
    {
        Input = new ImageTensor(height, width);
        Grad = new ImageTensor(height, width);
        InputValue = OrtValue.CreateTensorValueFromMemory(Input.Data, Input.Shape);
        GradValue = OrtValue.CreateTensorValueFromMemory(Grad.Data, Grad.Shape);
        LossValue = OrtValue.CreateTensorValueFromMemory(_loss, lossShape);
        Binding = session.CreateIoBinding();
    }

    public int Height => Input.Height;

    public int Width => Input.Width;

    /// <summary>The image the next run reads, [1,3,H,W].</summary>
    public ImageTensor Input { get; }

    /// <summary>The gradient the last run wrote, [1,3,H,W].</summary>
    public ImageTensor Grad { get; }

    /// <summary>The loss the last run wrote.</summary>
    public float Loss => _loss[0];

    internal OrtValue InputValue { get; }

    internal OrtValue GradValue { get; }

    internal OrtValue LossValue { get; }

    internal OrtIoBinding Binding { get; }

    /// <summary>Which version of the runner's extra inputs is bound (rebinds when they change).</summary>
    internal int BoundExtrasVersion { get; set; } = -1;

    public void Dispose()
    {
        Binding.Dispose();
        InputValue.Dispose();
        GradValue.Dispose();
        LossValue.Dispose();
    }
}
