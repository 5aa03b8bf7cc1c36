using System.Buffers.Binary;
using System.Text;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Tests.Tensors;

public class NpyWriterTests
{
    [Fact]
    public void Writes_a_numpy_v1_float32_file()
    {
        float[] values = [1f, -2.5f, 3.25f, 0f, float.MaxValue, 1e-30f];
        using var stream = new MemoryStream();

        NpyWriter.Write(stream, values, [1, 3, 1, 2]);

        var bytes = stream.ToArray();
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        var dataStart = 10 + headerLength;
        Assert.Equal(0, dataStart % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 1, 2), }", header.TrimEnd(' ', '\n'));
        Assert.EndsWith("\n", header);
        Assert.Equal(values.Length * 4, bytes.Length - dataStart);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + 4 * i)));
        }
    }

    [Fact]
    public void One_dimensional_shape_keeps_the_tuple_comma()
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, [1f, 2f], [2]);
        Assert.Contains("'shape': (2,), }", Encoding.ASCII.GetString(stream.ToArray()));
    }

    [Fact]
    public void Shape_must_match_the_values()
    {
        Assert.Throws<ArgumentException>(() => NpyWriter.Write(new MemoryStream(), [1f, 2f, 3f], [1, 2]));
    }
}
