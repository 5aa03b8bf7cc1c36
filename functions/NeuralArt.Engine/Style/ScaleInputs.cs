using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Style;

/// <summary>
/// The images one scale works with, recomputed from the checkpoint's 8-bit images (the same bytes
/// and the same resampling give the same floats in every chunk): the content as the network sees it
/// (gray under luminance transfer), the content in colour (for putting chroma back), and the style
/// images resized by the style scale and recoloured as the colour mode asks, and the masks (one
/// plane each, in [0,1]). Content, colour and masks are on the canvas: the output size plus a
/// reflected <c>margin</c> on each side (<see cref="StyleCanvas"/>); the style images' own masks are
/// on their style images (no margin: the targets are taken from the paintings as they are).
/// </summary>
internal sealed record ScaleInputs(ImageTensor Content, ImageTensor ContentColor, IReadOnlyList<ImageTensor> Styles)
{
    /// <summary>Per style image, its mask on the canvas (row-major planes); empty without masks.</summary>
    public IReadOnlyList<float[]> Masks { get; init; } = [];

    /// <summary>Per style image, its own mask at its size here (row-major planes); empty without style masks.</summary>
    public IReadOnlyList<float[]> StyleMasks { get; init; } = [];

    public static ScaleInputs Prepare(StyleState state, (int Height, int Width) size, int margin)
    {
        var inputs = Prepare(state, size);
        var masks = state.Masks.Select(m => StyleCanvas.PadPlane(MaskPlane(m, size.Height, size.Width), size.Height, size.Width, margin)).ToList();
        var styleMasks = state.StyleMasks.Select((m, i) => MaskPlane(m, inputs.Styles[i].Height, inputs.Styles[i].Width)).ToList();
        return new ScaleInputs(StyleCanvas.Pad(inputs.Content, margin), StyleCanvas.Pad(inputs.ContentColor, margin), inputs.Styles) { Masks = masks, StyleMasks = styleMasks };
    }

    /// <summary>A mask resized like the image it belongs to, as its Rec. 601 luma in [0,1] (resampling overshoot clamped).</summary>
    public static float[] MaskPlane(StoredImage mask, int height, int width)
    {
        var plane = ColorTransfer.LuminancePlane(Resized(mask, height, width));
        for (var i = 0; i < plane.Length; i++) plane[i] = Math.Clamp(plane[i], 0f, 1f);
        return plane;
    }

    private static ScaleInputs Prepare(StyleState state, (int Height, int Width) size)
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
