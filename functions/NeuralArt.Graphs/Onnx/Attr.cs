using Google.Protobuf;
using Onnx;

namespace NeuralArt.Graphs.Onnx;

/// <summary>Builds and reads ONNX node attributes.</summary>
internal static class Attr
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto? Find(this NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long GetInt(this NodeProto node, string name, long fallback) =>
        node.Find(name) is { } a ? a.I : fallback;

    public static float GetFloat(this NodeProto node, string name, float fallback) =>
        node.Find(name) is { } a ? a.F : fallback;

    public static long[]? GetInts(this NodeProto node, string name) =>
        node.Find(name) is { } a ? a.Ints.ToArray() : null;

    public static string? GetString(this NodeProto node, string name) =>
        node.Find(name) is { } a ? a.S.ToStringUtf8() : null;

    public static void Set(this NodeProto node, AttributeProto attribute)
    {
        node.Remove(attribute.Name);
        node.Attribute.Add(attribute);
    }

    public static void Remove(this NodeProto node, string name)
    {
        for (var i = node.Attribute.Count - 1; i >= 0; i--)
        {
            if (node.Attribute[i].Name == name) node.Attribute.RemoveAt(i);
        }
    }
}
