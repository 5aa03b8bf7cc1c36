using System.Runtime.InteropServices;

namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// Writes and reads optimizer state: a kind tag, then the optimizer's own fields (options, counters,
/// vectors as raw little-endian floats). Reading checks versions and lengths and throws
/// <see cref="InvalidDataException"/> on anything inconsistent.
/// </summary>
public static class OptimizerSerializer
{
    public static void Write(BinaryWriter writer, IGradientOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(optimizer);
        writer.Write(optimizer.Kind);
        optimizer.Write(writer);
    }

    public static IGradientOptimizer Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var kind = reader.ReadString();
        return kind switch
        {
            OptimizerKinds.Lbfgs => Lbfgs.Read(reader),
            OptimizerKinds.Adam => Adam.Read(reader),
            _ => throw new InvalidDataException($"Unknown optimizer '{kind}' in the state."),
        };
    }

    public static byte[] ToBytes(IGradientOptimizer optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream)) Write(writer, optimizer);
        return stream.ToArray();
    }

    public static IGradientOptimizer FromBytes(ReadOnlySpan<byte> bytes)
    {
        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        using var reader = new BinaryReader(stream);
        var optimizer = Read(reader);
        if (stream.Position != stream.Length) throw new InvalidDataException("Optimizer state has trailing data.");
        return optimizer;
    }

    internal static void WriteVector(BinaryWriter writer, float[] values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    internal static void ReadVector(BinaryReader reader, float[] into)
    {
        var length = reader.ReadInt32();
        if (length != into.Length) throw new InvalidDataException($"Optimizer vector has {length} values; expected {into.Length}.");
        var bytes = MemoryMarshal.AsBytes(into.AsSpan());
        while (!bytes.IsEmpty)
        {
            var read = reader.Read(bytes);
            if (read == 0) throw new EndOfStreamException("Optimizer state is truncated.");
            bytes = bytes[read..];
        }
    }
}
