using NeuralArt.Engine.Jobs;
using SixLabors.ImageSharp;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>
/// A cheap check of a source image before any engine decodes it: not empty, a known format, and a
/// header whose size is within the pixel limit (so a decompression bomb is refused from its header,
/// without inflating it). Decoding errors past the header are the engine's to report.
/// </summary>
public static class SourceImageInspector
{
    public static (int Width, int Height) Inspect(byte[] bytes, string field, string name, long maxPixels)
    {
        if (bytes.Length == 0)
        {
            throw new InvalidArtworkInputException($"The {field} image '{name}' is empty (0 bytes).", field);
        }

        IImageInfo? info;
        try
        {
            info = Image.Identify(bytes);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidDataException)
        {
            throw new InvalidArtworkInputException($"The {field} image '{name}' is corrupt: {e.Message}", field, e);
        }

        if (info is null)
        {
            throw new InvalidArtworkInputException(
                $"The {field} file '{name}' is not an image in a supported format (PNG, JPEG, BMP, GIF, TGA, WebP, TIFF).", field);
        }

        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidArtworkInputException($"The {field} image '{name}' has no pixels ({info.Width}x{info.Height}).", field);
        }

        if ((long)info.Width * info.Height > maxPixels)
        {
            throw new InvalidArtworkInputException(
                $"The {field} image '{name}' claims {info.Width}x{info.Height} pixels, more than the limit of {maxPixels:N0}; it is refused before decoding.", field);
        }

        return (info.Width, info.Height);
    }
}
