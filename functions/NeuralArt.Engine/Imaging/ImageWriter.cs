using NeuralArt.Contract;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Imaging;

/// <summary>Encodes results as PNG or JPEG, chosen by format or by the output file's extension.</summary>
public static class ImageWriter
{
    /// <summary>JPEG quality: high enough that dream textures keep their fine detail.</summary>
    public const int JpegQuality = 92;

    /// <summary>The format an output path asks for, or an error naming the accepted extensions.</summary>
    public static RenderFormat FormatForPath(string path, string field = "output")
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".png" => RenderFormat.Png,
            ".jpg" or ".jpeg" => RenderFormat.Jpeg,
            _ => throw new InvalidArtworkInputException(
                $"Output '{path}' must end in .png, .jpg or .jpeg (got '{(extension.Length == 0 ? "no extension" : extension)}').", field),
        };
    }

    /// <summary>PNG through <see cref="PngWriter"/> (native zlib), JPEG through ImageSharp.</summary>
    public static byte[] Encode(Image<Rgb24> image, RenderFormat format)
    {
        switch (format)
        {
            case RenderFormat.Png:
                return PngWriter.Encode(image);
            case RenderFormat.Jpeg:
                using (var stream = new MemoryStream())
                {
                    image.Save(stream, new JpegEncoder { Quality = JpegQuality });
                    return stream.ToArray();
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown render format.");
        }
    }

    public static async Task SaveAsync(Image<Rgb24> image, string path, CancellationToken cancellationToken = default)
    {
        var format = FormatForPath(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(path, Encode(image, format), cancellationToken).ConfigureAwait(false);
    }
}
