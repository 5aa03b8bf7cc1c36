using System.Buffers.Binary;
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Testing;

/// <summary>Small images made on the spot, and the broken files the bad-input tests need.</summary>
public static class TestImages
{
    /// <summary>A PNG with a smooth gradient and a few hard edges (so a blur changes it).</summary>
    public static byte[] Png(int width = 48, int height = 32, int seed = 0)
    {
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var edge = ((x / 8) + (y / 8) + seed) % 2 == 0 ? 60 : 0;
                image[x, y] = new Rgb24((byte)((x * 255 / Math.Max(1, width - 1)) - edge / 2 + 30), (byte)(y * 200 / Math.Max(1, height - 1) + edge), (byte)((seed * 37 + 90 + edge) % 256));
            }
        }

        using var output = new MemoryStream();
        image.Save(output, new PngEncoder());
        return output.ToArray();
    }

    /// <summary>A mask PNG: white where <paramref name="white"/> says so, black elsewhere.</summary>
    public static byte[] MaskPng(int width, int height, Func<int, int, bool> white)
    {
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++) image[x, y] = white(x, y) ? new Rgb24(255, 255, 255) : new Rgb24(0, 0, 0);
        }

        using var output = new MemoryStream();
        image.Save(output, new PngEncoder());
        return output.ToArray();
    }

    /// <summary>A PNG whose data is cut off half-way: the header reads, decoding fails.</summary>
    public static byte[] TruncatedPng()
    {
        var png = Png(64, 64);
        return png[..(png.Length / 2)];
    }

    public static byte[] NotAnImage() => "This is a text file, not a picture.\n"u8.ToArray();

    /// <summary>
    /// A decompression bomb: a valid PNG header claiming 50000 x 50000 pixels (7.5 GB of RGB) over
    /// a tiny compressed stream of zero rows. Refused from its header, it is never inflated.
    /// </summary>
    public static byte[] DecompressionBomb(int side = 50_000)
    {
        using var output = new MemoryStream();
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, side);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), side);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour RGB
        WriteChunk(output, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + side * 3];
            for (var i = 0; i < 64; i++)
            {
                zlib.Write(row);
            }
        }

        WriteChunk(output, "IDAT", compressed.ToArray());
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. typeBytes, .. data]));
        output.Write(crc);
    }

    /// <summary>The PNG chunk CRC (ISO 3309, polynomial 0xEDB88320).</summary>
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>Decodes an image to raw RGB bytes, for pixel-exact comparisons.</summary>
    public static (int Width, int Height, byte[] Rgb) Decode(byte[] encoded)
    {
        using var image = Image.Load<Rgb24>(encoded);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return (image.Width, image.Height, pixels);
    }
}
