using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata;

namespace NeuralArt.Engine.Imaging;

/// <summary>
/// The ImageSharp configuration we decode with: only the formats we promise (JPEG, PNG, WebP, BMP,
/// GIF), and GIF decoding stops after the first frame (an animation's other frames are never
/// decoded, so they cost neither time nor memory).
/// </summary>
internal static class ImageCodecs
{
    /// <summary>Readable list of the accepted formats, for error messages.</summary>
    public const string SupportedFormats = "JPEG, PNG, WebP, BMP or GIF";

    public static Configuration Configuration { get; } = Create();

    private static Configuration Create()
    {
        var configuration = new Configuration(
            new JpegConfigurationModule(),
            new PngConfigurationModule(),
            new WebpConfigurationModule(),
            new BmpConfigurationModule(),
            new GifConfigurationModule());
        configuration.ImageFormatsManager.SetDecoder(
            GifFormat.Instance,
            new GifDecoder { DecodingMode = FrameDecodingMode.First, MaxFrames = 1 });
        return configuration;
    }
}
