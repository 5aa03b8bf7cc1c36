using System.Runtime.InteropServices;
using Onnx;

namespace NeuralArt.Graphs.Tests.Reference;

/// <summary>
/// Reads ONNX attributes and initializers for the reference evaluator. Deliberately independent of
/// the compiler's own helpers, so a bug there cannot hide by being shared with the reference.
/// </summary>
internal static class OnnxReading
{
    public static AttributeProto? Attribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long Int(NodeProto node, string name, long fallback) =>
        Attribute(node, name) is { } a ? a.I : fallback;

    public static double Float(NodeProto node, string name, double fallback) =>
        Attribute(node, name) is { } a ? a.F : fallback;

    public static string String(NodeProto node, string name, string fallback) =>
        Attribute(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    public static int[]? Ints(NodeProto node, string name) =>
        Attribute(node, name) is { } a ? a.Ints.Select(v => checked((int)v)).ToArray() : null;

    /// <summary>Any float, double, int32 or int64 tensor as float64 values.</summary>
    public static RefTensor ToRef(TensorProto tensor)
    {
        var shape = tensor.Dims.Select(d => checked((int)d)).ToArray();
        var raw = tensor.RawData.Span;
        double[] data = (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Float => raw.Length > 0
                ? MemoryMarshal.Cast<byte, float>(raw).ToArray().Select(v => (double)v).ToArray()
                : tensor.FloatData.Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Double => raw.Length > 0
                ? MemoryMarshal.Cast<byte, double>(raw).ToArray()
                : tensor.DoubleData.ToArray(),
            TensorProto.Types.DataType.Int64 => raw.Length > 0
                ? MemoryMarshal.Cast<byte, long>(raw).ToArray().Select(v => (double)v).ToArray()
                : tensor.Int64Data.Select(v => (double)v).ToArray(),
            TensorProto.Types.DataType.Int32 => raw.Length > 0
                ? MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (double)v).ToArray()
                : tensor.Int32Data.Select(v => (double)v).ToArray(),
            _ => throw new NotSupportedException($"Initializer '{tensor.Name}' has data type {tensor.DataType}."),
        };
        return new RefTensor(shape, data);
    }

    /// <summary>The default-domain opset the model imports.</summary>
    public static long Opset(ModelProto model) =>
        model.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx")
            .Select(o => o.Version).DefaultIfEmpty(1).Max();
}
