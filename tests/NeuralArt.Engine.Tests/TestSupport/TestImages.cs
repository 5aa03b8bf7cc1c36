using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Tests.TestSupport;

/// <summary>Synthetic test images and crafted files.</summary>
internal static class TestImages
{
    /// <summary>Columns [x0, x1) of an image, as a new image.</summary>
    public static ImageTensor Columns(ImageTensor image, int x0, int x1)
    {
        var result = new ImageTensor(image.Height, x1 - x0);
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var y = 0; y < image.Height; y++)
            {
                image.Plane(c).Slice(y * image.Width + x0, x1 - x0).CopyTo(result.Plane(c).Slice(y * result.Width, result.Width));
            }
        }
        return result;
    }

    /// <summary>A smooth colourful pattern (gradients and a disc), deterministic.</summary>
    public static Image<Rgb24> Pattern(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var dx = x - width / 2.0;
                var dy = y - height / 2.0;
                var inDisc = dx * dx + dy * dy < Math.Pow(Math.Min(width, height) / 3.0, 2);
                image[x, y] = new Rgb24(
                    (byte)(255 * x / Math.Max(1, width - 1)),
                    (byte)(255 * y / Math.Max(1, height - 1)),
                    (byte)(inDisc ? 220 : 40));
            }
        }
        return image;
    }

    public static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    public static byte[] PatternPng(int width, int height)
    {
        using var image = Pattern(width, height);
        return Encode(image, new PngEncoder());
    }

    /// <summary>
    /// A left/right mask as a PNG: white on the left (or right) part, black on the other, with a
    /// linear ramp <paramref name="feather"/> (a fraction of the width) wide centred on the middle;
    /// 0 gives a hard edge.
    /// </summary>
    public static byte[] HalfMaskPng(int width, int height, bool left, double feather)
    {
        using var image = new Image<Rgb24>(width, height);
        for (var x = 0; x < width; x++)
        {
            var u = (x + 0.5) / width - 0.5; // -0.5 .. 0.5, seam at 0
            var rightness = feather > 0 ? Math.Clamp(u / feather + 0.5, 0, 1) : (u >= 0 ? 1 : 0);
            var value = (byte)Math.Round(255 * (left ? 1 - rightness : rightness));
            for (var y = 0; y < height; y++) image[x, y] = new Rgb24(value, value, value);
        }
        return Encode(image, new PngEncoder());
    }

    public static ImageTensor RandomTensor(int height, int width, int seed)
    {
        var random = new Random(seed);
        var t = new ImageTensor(height, width);
        for (var i = 0; i < t.Data.Length; i++) t.Data[i] = (float)random.NextDouble();
        return t;
    }

    /// <summary>
    /// A decompression bomb's header: a valid PNG (signature, IHDR, a tiny IDAT, IEND) that claims
    /// <paramref name="width"/> x <paramref name="height"/> pixels in a few dozen bytes.
    /// </summary>
    public static byte[] PngClaiming(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, (uint)width);
        WriteBigEndian(ihdr, 4, (uint)height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: RGB
        WriteChunk(stream, "IHDR", ihdr);
        // zlib stream of a few zero bytes (a real bomb would hold gigabytes of zeros, compressed).
        WriteChunk(stream, "IDAT", [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var header = new byte[4];
        WriteBigEndian(header, 0, (uint)data.Length);
        stream.Write(header);
        var typeAndData = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(typeAndData, 0);
        data.CopyTo(typeAndData, 4);
        stream.Write(typeAndData);
        var crc = new byte[4];
        WriteBigEndian(crc, 0, Crc32(typeAndData));
        stream.Write(crc);
    }

    private static void WriteBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
