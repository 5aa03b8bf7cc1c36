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
        var settings = state.Settings;
        var color = Resized(state.Content, size.Height, size.Width);
        var styleLong = Math.Max(StylePlan.MinSide, (int)Math.Round(Math.Max(size.Height, size.Width) * (double)settings.StyleScale, MidpointRounding.AwayFromZero));
        var styles = state.Styles.Select(s =>
        {
            var (h, w) = StylePlan.Fit(s.Height, s.Width, styleLong);
            return Resized(s, h, w);
        }).ToList();
        var masks = state.Masks.Select(m => MaskPlane(m, size.Height, size.Width)).ToList();
        var styleMasks = state.StyleMasks.Select((m, i) => MaskPlane(m, styles[i].Height, styles[i].Width)).ToList();

        // Colours are matched part to part: style i's masked part of its painting to the part of
        // the photo its region mask covers (whole images where there are no masks).
        ReadOnlySpan<float> StyleWeights(int i) => styleMasks.Count > 0 ? Selecting(styleMasks[i]) : default;
        ReadOnlySpan<float> ContentWeights(int i) => masks.Count > 0 ? Selecting(masks[i]) : default;
        ImageTensor content = color;
        var recoloured = styles;
        switch (settings.PreserveColors)
        {
            case PreserveColorModes.Luminance:
                content = ColorTransfer.Luminance(color);
                recoloured = styles.Select((s, i) => ColorTransfer.MatchLuminance(ColorTransfer.Luminance(s), content, StyleWeights(i), ContentWeights(i))).ToList();
                break;
            case PreserveColorModes.Histogram:
                recoloured = styles.Select((s, i) => ColorTransfer.MatchHistogram(s, color, StyleWeights(i), ContentWeights(i))).ToList();
                break;
        }
        return new ScaleInputs(StyleCanvas.Pad(content, margin), StyleCanvas.Pad(color, margin), recoloured)
        {
            Masks = masks.Select(m => StyleCanvas.PadPlane(m, size.Height, size.Width, margin)).ToList(),
            StyleMasks = styleMasks,
        };
    }

    /// <summary>A mask plane as colour-statistics weights, or none (whole image) where resizing left it empty.</summary>
    private static float[]? Selecting(float[] mask) => mask.Any(w => w > 0) ? mask : null;

    /// <summary>A mask resized like the image it belongs to, as its Rec. 601 luma in [0,1] (resampling overshoot clamped).</summary>
    public static float[] MaskPlane(StoredImage mask, int height, int width)
    {
        var plane = ColorTransfer.LuminancePlane(Resized(mask, height, width));
        for (var i = 0; i < plane.Length; i++) plane[i] = Math.Clamp(plane[i], 0f, 1f);
        return plane;
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
