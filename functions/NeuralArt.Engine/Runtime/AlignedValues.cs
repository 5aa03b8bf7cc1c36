using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// Float tensors in memory that ONNX Runtime allocates (64-byte aligned). This matters for
/// reproducibility, not only speed: some CPU kernels (reductions, element-wise ops reading a graph
/// input directly) take alignment-dependent vector paths, so the same values in a managed array at
/// a different address can give results that differ in the last bit. Chunked renders must match
/// unchunked ones exactly, so every graph input we bind lives in such a buffer.
/// </summary>
internal static class AlignedValues
{
    public static OrtValue Allocate(long[] shape) =>
        OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape);

    public static OrtValue Copy(ReadOnlySpan<float> values, long[] shape)
    {
        var value = Allocate(shape);
        var span = value.GetTensorMutableDataAsSpan<float>();
        if (span.Length != values.Length)
        {
            value.Dispose();
            throw new ArgumentException($"Shape [{string.Join(",", shape)}] holds {span.Length} values, got {values.Length}.", nameof(values));
        }
        values.CopyTo(span);
        return value;
    }
}
