using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Style;

/// <summary>
/// The images one scale works with, recomputed from the checkpoint's 8-bit images (the same bytes
/// and the same resampling give the same floats in every chunk): the content as the network sees it
/// (gray under luminance transfer), the content in colour (for putting chroma back), and the style
/// images resized by the style scale and recoloured as the colour mode asks.
/// </summary>
internal sealed record ScaleInputs(ImageTensor Content, ImageTensor ContentColor, IReadOnlyList<ImageTensor> Styles)
{
    public static ScaleInputs Prepare(StyleState state, (int Height, int Width) size)
    {
        var settings = state.Settings;
        var color = Resized(state.Content, size.Height, size.Width);
        var styleLong = Math.Max(StylePlan.MinSide, (int)Math.Round(Math.Max(size.Height, size.Width) * (double)settings.StyleScale, MidpointRounding.AwayFromZero));
        var styles = state.Styles.Select(s =>
        {
            var (h, w) = StylePlan.Fit(s.Height, s.Width, styleLong);
            return Resized(s, h, w);
        }).ToList();

        switch (settings.PreserveColors)
        {
            case PreserveColorModes.Luminance:
                var gray = ColorTransfer.Luminance(color);
                return new ScaleInputs(gray, color, styles.Select(s => ColorTransfer.MatchLuminance(ColorTransfer.Luminance(s), gray)).ToList());
            case PreserveColorModes.Histogram:
                return new ScaleInputs(color, color, styles.Select(s => ColorTransfer.MatchHistogram(s, color)).ToList());
            default:
                return new ScaleInputs(color, color, styles);
        }
    }

    /// <summary>A stored image resized with Lanczos-3 (ImageSharp), as floats in [0,1].</summary>
    public static ImageTensor Resized(StoredImage image, int height, int width)
    {
        using var decoded = ImageTensorConversions.FromRgbBytes(image.Rgb, image.Width, image.Height);
        if (decoded.Width != width || decoded.Height != height)
        {
            decoded.Mutate(x => x.Resize(new ResizeOptions
            {
                Size = new Size(width, height),
                Mode = ResizeMode.Stretch,
                Sampler = KnownResamplers.Lanczos3,
            }));
        }
        return decoded.ToTensor();
    }

    /// <summary>Encodes an image as a stored 8-bit RGB image.</summary>
    public static StoredImage Store(Image<Rgb24> image) => new(image.Width, image.Height, image.ToRgbBytes());
}
