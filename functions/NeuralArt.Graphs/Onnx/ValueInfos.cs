using Onnx;

namespace NeuralArt.Graphs.Onnx;

/// <summary>Graph input and output declarations: float32 tensors with fixed or named (dynamic) dimensions.</summary>
internal static class ValueInfos
{
    public static ValueInfoProto Float(string name, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims);
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Tensors.FloatType, Shape = shape } },
        };
    }

    public static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    public static TensorShapeProto.Types.Dimension Dim(string param) => new() { DimParam = param };
}
