using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace NeuralArt.Graphs.Onnx;

/// <summary>Reads and writes ONNX <see cref="TensorProto"/> payloads (float and int64).</summary>
internal static class Tensors
{
    public const int FloatType = (int)TensorProto.Types.DataType.Float;
    public const int Int64Type = (int)TensorProto.Types.DataType.Int64;

    public static float[] ReadFloats(TensorProto tensor)
    {
        if (tensor.DataType != FloatType)
        {
            throw new GraphCompilationException(
                $"Initializer '{tensor.Name}' has data type {tensor.DataType}; only float32 weights are supported.");
        }
        if (tensor.RawData.Length > 0)
        {
            return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        }
        return tensor.FloatData.ToArray();
    }

    public static long[] ReadInt64s(TensorProto tensor)
    {
        if (tensor.RawData.Length > 0)
        {
            return MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray();
        }
        return tensor.Int64Data.ToArray();
    }

    public static TensorProto Float(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> values)
    {
        var t = new TensorProto { Name = name, DataType = FloatType };
        t.Dims.AddRange(dims.ToArray());
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return t;
    }

    public static TensorProto Int64(string name, ReadOnlySpan<long> dims, ReadOnlySpan<long> values)
    {
        var t = new TensorProto { Name = name, DataType = Int64Type };
        t.Dims.AddRange(dims.ToArray());
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return t;
    }

    public static long[] Dims(TensorProto tensor) => tensor.Dims.ToArray();
}
