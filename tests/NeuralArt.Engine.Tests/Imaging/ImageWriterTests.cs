using System.Buffers.Binary;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Tests.Imaging;

public class ImageWriterTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 7)]
    [InlineData(5, 1)]
    [InlineData(97, 64)]
    [InlineData(256, 131)]
    public void Png_reads_back_pixel_for_pixel(int width, int height)
    {
        using var image = Noise(width, height, seed: width * 1000 + height);

        var png = ImageWriter.Encode(image, RenderFormat.Png);

        // ImageSharp's decoder checks the critical chunks' CRCs and the zlib stream.
        using var decoded = Image.Load<Rgb24>(png, new PngDecoder());
        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        for (var y = 0; y < height; y++)
        {
            Assert.True(image.DangerousGetPixelRowMemory(y).Span.SequenceEqual(decoded.DangerousGetPixelRowMemory(y).Span), $"row {y} differs");
        }
    }

    [Fact]
    public void Png_is_8_bit_rgb_and_compresses_smooth_images()
    {
        const int Side = 128;
        using var image = new Image<Rgb24>(Side, Side);
        for (var y = 0; y < Side; y++)
        {
            var row = image.DangerousGetPixelRowMemory(y).Span;
            for (var x = 0; x < Side; x++) row[x] = new Rgb24((byte)x, (byte)y, (byte)(x + y));
        }

        var png = ImageWriter.Encode(image, RenderFormat.Png);

        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(Side, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(8, png[24]); // bit depth
        Assert.Equal(2, png[25]); // colour type: RGB
        // A gradient predicts exactly under Paeth: far below the 48 KiB of raw pixels.
        Assert.True(png.Length < Side * Side * 3 / 20, $"{png.Length} bytes");
    }

    private static Image<Rgb24> Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        var bytes = new byte[3];
        for (var y = 0; y < height; y++)
        {
            var row = image.DangerousGetPixelRowMemory(y).Span;
            for (var x = 0; x < width; x++)
            {
                random.NextBytes(bytes);
                row[x] = new Rgb24(bytes[0], bytes[1], bytes[2]);
            }
        }
        return image;
    }
}
