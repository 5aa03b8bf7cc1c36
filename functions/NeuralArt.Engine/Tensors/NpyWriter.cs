using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NeuralArt.Engine.Tensors;

/// <summary>
/// Writes float32 arrays in NumPy's <c>.npy</c> format (version 1.0): the magic <c>\x93NUMPY</c>,
/// the version, a little-endian header length, an ASCII dict
/// (<c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (...), }</c>) padded with spaces and a
/// newline so the data starts on a 64-byte boundary, then the values in C order, little-endian.
/// </summary>
public static class NpyWriter
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const byte MajorVersion = 1;
    private const byte MinorVersion = 0;
    private const int Alignment = 64;
    // magic + 2 version bytes + uint16 header length.
    private const int PreambleLength = 10;

    public static void Write(Stream stream, ReadOnlySpan<float> values, ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d);
            count *= d;
        }
        if (count != values.Length)
        {
            throw new ArgumentException($"Shape holds {count} values but {values.Length} were given.", nameof(values));
        }

        var header = Header(shape);
        var padded = (PreambleLength + header.Length + 1 + Alignment - 1) / Alignment * Alignment;
        var headerLength = padded - PreambleLength;
        var preamble = new byte[PreambleLength];
        Magic.CopyTo(preamble, 0);
        preamble[6] = MajorVersion;
        preamble[7] = MinorVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble.AsSpan(8), checked((ushort)headerLength));
        stream.Write(preamble);
        var text = header.PadRight(headerLength - 1) + "\n";
        stream.Write(Encoding.ASCII.GetBytes(text));

        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
        }
        else
        {
            var buffer = new byte[sizeof(float)];
            foreach (var v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
                stream.Write(buffer);
            }
        }
    }

    public static void Write(string path, ReadOnlySpan<float> values, ReadOnlySpan<long> shape)
    {
        using var stream = File.Create(path);
        Write(stream, values, shape);
    }

    private static string Header(ReadOnlySpan<long> shape)
    {
        var dims = new StringBuilder();
        foreach (var d in shape) dims.Append(d.ToString(CultureInfo.InvariantCulture)).Append(", ");
        // A 1-d shape keeps its trailing comma, "(5,)"; others drop the last ", ".
        var tuple = shape.Length switch
        {
            0 => "()",
            1 => $"({dims.ToString().TrimEnd(' ')})",
            _ => $"({dims.ToString(0, dims.Length - 2)})",
        };
        return $"{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple}, }}";
    }
}
