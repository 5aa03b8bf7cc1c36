using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Tensors;

/// <summary>Conversions between ImageSharp RGB images and <see cref="ImageTensor"/>s.</summary>
public static class ImageTensorConversions
{
    private const float ByteScale = 255f;

    /// <summary>Bytes 0..255 to floats 0..1, planar.</summary>
    public static ImageTensor ToTensor(this Image<Rgb24> image)
    {
        var tensor = new ImageTensor(image.Height, image.Width);
        var r = tensor.Plane(0);
        var g = tensor.Plane(1);
        var b = tensor.Plane(2);
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.DangerousGetPixelRowMemory(y).Span;
            var offset = y * image.Width;
            for (var x = 0; x < row.Length; x++)
            {
                r[offset + x] = row[x].R / ByteScale;
                g[offset + x] = row[x].G / ByteScale;
                b[offset + x] = row[x].B / ByteScale;
            }
        }
        return tensor;
    }

    /// <summary>Floats to bytes: clamped to [0,1], scaled and rounded to nearest.</summary>
    public static Image<Rgb24> ToImage(this ImageTensor tensor)
    {
        var image = new Image<Rgb24>(tensor.Width, tensor.Height);
        var data = tensor.Data;
        var plane = tensor.PlaneSize;
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.DangerousGetPixelRowMemory(y).Span;
            var offset = y * image.Width;
            for (var x = 0; x < row.Length; x++)
            {
                var i = offset + x;
                row[x] = new Rgb24(ToByte(data[i]), ToByte(data[plane + i]), ToByte(data[2 * plane + i]));
            }
        }
        return image;
    }

    /// <summary>Interleaved RGB bytes (the compact form engines store base images in).</summary>
    public static byte[] ToRgbBytes(this Image<Rgb24> image)
    {
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        return bytes;
    }

    public static Image<Rgb24> FromRgbBytes(ReadOnlySpan<byte> bytes, int width, int height) =>
        Image.LoadPixelData<Rgb24>(bytes, width, height);

    private static byte ToByte(float v)
    {
        // NaN fails both comparisons; treat it as black rather than letting it wrap.
        if (!(v > 0f)) return 0;
        if (v >= 1f) return byte.MaxValue;
        return (byte)(v * ByteScale + 0.5f);
    }
}
