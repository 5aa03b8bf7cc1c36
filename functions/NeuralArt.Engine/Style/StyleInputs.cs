using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Style;

/// <summary>
/// A style transfer's images as its first checkpoint stores them: the source scaled down to the last
/// scale, the style images (frames trimmed) and their masks scaled down to the style side, the region
/// masks and the init image. <see cref="Decode"/> makes them and refuses what cannot work (too small,
/// masks of the wrong shape or black everywhere); <see cref="CheckCounts(StyleSettings, int, int, int, int)"/>
/// holds the count rules that the plan (headers only) and the start share.
/// </summary>
internal sealed record StyleInputs(
    StoredImage Source,
    IReadOnlyList<StoredImage> Styles,
    IReadOnlyList<StoredImage> StyleMasks,
    IReadOnlyList<StoredImage> Masks,
    StoredImage Init)
{
    /// <summary>The extra images of one role, in the order given.</summary>
    public static List<NamedImage> OfRole(IEnumerable<NamedImage> extras, string role) =>
        extras.Where(e => string.Equals(e.Role, role, StringComparison.Ordinal)).ToList();

    /// <summary>The count rules of <see cref="CheckCounts(StyleSettings, int, int, int, int)"/> on a start's extra images.</summary>
    public static void CheckCounts(StyleSettings settings, IReadOnlyList<NamedImage> extras) =>
        CheckCounts(settings, OfRole(extras, NeuralStyleEngine.StyleRole).Count, OfRole(extras, NeuralStyleEngine.InitRole).Count,
            OfRole(extras, NeuralStyleEngine.MaskRole).Count, OfRole(extras, NeuralStyleEngine.StyleMaskRole).Count);

    /// <summary>
    /// The rules that tie the counts of style, mask and init images to each other and to the
    /// parameters (each role's own count is the descriptor's, checked by <see cref="DescriptorCheck"/>).
    /// </summary>
    public static void CheckCounts(StyleSettings settings, int styleCount, int initCount, int maskCount, int styleMaskCount)
    {
        if (settings.StyleBlend is { } blend && blend.Length != styleCount)
        {
            throw new InvalidArtworkInputException($"There are {blend.Length} blend weights for {styleCount} style images; give one weight per style image.", "styleBlend");
        }
        if (maskCount != 0 && maskCount != styleCount)
        {
            throw new InvalidArtworkInputException(
                $"There are {maskCount} masks for {styleCount} style images; give one mask per style image, in the same order, or none.", NeuralStyleEngine.MaskRole);
        }
        if (styleMaskCount != 0 && styleMaskCount != styleCount)
        {
            throw new InvalidArtworkInputException(
                $"There are {styleMaskCount} style masks for {styleCount} style images; give one style mask per style image, in the same order, or none.", NeuralStyleEngine.StyleMaskRole);
        }
        if (settings.Init == StyleInitModes.Image && initCount == 0)
        {
            throw new InvalidArtworkInputException($"Init 'image' needs an image with role '{NeuralStyleEngine.InitRole}'.", "init");
        }
        if (settings.Init != StyleInitModes.Image && initCount == 1)
        {
            throw new InvalidArtworkInputException($"An init image was given but init is '{settings.Init}'; set init to 'image' to use it.", "init");
        }
    }

    /// <summary>Decodes and checks a start's images (counts already checked) and scales them to what the state keeps.</summary>
    public static StyleInputs Decode(ArtworkInputs inputs, StyleSettings settings, ImageLoader loader, ILogger logger)
    {
        var styleInputs = OfRole(inputs.Extras, NeuralStyleEngine.StyleRole);
        var initInputs = OfRole(inputs.Extras, NeuralStyleEngine.InitRole);
        var maskInputs = OfRole(inputs.Extras, NeuralStyleEngine.MaskRole);
        var styleMaskInputs = OfRole(inputs.Extras, NeuralStyleEngine.StyleMaskRole);
        var largest = settings.Scales[^1];
        using var source = loader.Decode(inputs.Source, EngineDescriptor.SourceRole);
        ArtworkEngineBase.FitWithin(source, largest);
        StylePlanner.CheckFirstScale(settings, StylePlan.Fit(source.Height, source.Width, settings.Scales[0]));
        StylePlanner.LbfgsHistory(settings, StylePlan.Fit(source.Height, source.Width, largest));

        var styleSide = Math.Max(StylePlan.MinSide, (int)Math.Ceiling(largest * (double)settings.StyleScale));
        var styles = new List<StoredImage>();
        var styleMasks = new List<StoredImage>();
        for (var i = 0; i < styleInputs.Count; i++)
        {
            using var style = loader.Decode(styleInputs[i].Bytes, NeuralStyleEngine.StyleRole, $"the style image '{styleInputs[i].Name}'");
            var maskInput = styleMaskInputs.Count > 0 ? styleMaskInputs[i] : null;
            using var mask = maskInput is null ? null : loader.Decode(maskInput.Bytes, NeuralStyleEngine.StyleMaskRole, $"the style mask '{maskInput.Name}'");
            if (mask is not null) CheckShape(mask, style, $"The style mask '{maskInput!.Name}'", $"the style image '{styleInputs[i].Name}'", "style image's", NeuralStyleEngine.StyleMaskRole);
            if (settings.StyleFrames == StyleFrameModes.Trim && StyleFrame.Trim(style, mask))
            {
                logger.LogInformation("Trimmed a uniform frame from the style image '{Name}' ({Width}x{Height} left).", styleInputs[i].Name, style.Width, style.Height);
            }
            ArtworkEngineBase.FitWithin(style, styleSide);
            styles.Add(ScaleInputs.Store(style));
            if (mask is null) continue;
            ArtworkEngineBase.FitWithin(mask, styleSide);
            var stored = ScaleInputs.Store(mask);
            if (stored.Rgb.All(b => b == 0))
            {
                throw new InvalidArtworkInputException(
                    $"The style mask '{maskInput!.Name}' is black everywhere (inside any trimmed frame), so no part of its style image would be used; white marks the part to use.", NeuralStyleEngine.StyleMaskRole);
            }
            styleMasks.Add(stored);
        }
        var masks = new List<StoredImage>();
        foreach (var maskInput in maskInputs)
        {
            using var mask = loader.Decode(maskInput.Bytes, NeuralStyleEngine.MaskRole, $"the mask '{maskInput.Name}'");
            CheckShape(mask, source, $"The mask '{maskInput.Name}'", "the source", "source's", NeuralStyleEngine.MaskRole);
            ArtworkEngineBase.FitWithin(mask, largest);
            var stored = ScaleInputs.Store(mask);
            if (stored.Rgb.All(b => b == 0))
            {
                throw new InvalidArtworkInputException($"The mask '{maskInput.Name}' is black everywhere, so its style would apply nowhere; white marks where it applies.", NeuralStyleEngine.MaskRole);
            }
            masks.Add(stored);
        }
        var init = StoredImage.Empty;
        if (initInputs.Count == 1)
        {
            using var image = loader.Decode(initInputs[0].Bytes, NeuralStyleEngine.InitRole, $"the init image '{initInputs[0].Name}'");
            ArtworkEngineBase.FitWithin(image, largest);
            init = ScaleInputs.Store(image);
        }
        return new StyleInputs(ScaleInputs.Store(source), styles, styleMasks, masks, init);
    }

    /// <summary>A mask is stretched to its image, so it must have that image's aspect ratio (within rounding).</summary>
    private static void CheckShape(Image<Rgb24> mask, Image<Rgb24> image, string what, string imageName, string owner, string field)
    {
        var aspect = (double)mask.Width / mask.Height / ((double)image.Width / image.Height);
        if (Math.Abs(aspect - 1) > NeuralStyleEngine.MaskAspectTolerance)
        {
            throw new InvalidArtworkInputException(
                $"{what} is {mask.Width}x{mask.Height} but {imageName} is {image.Width}x{image.Height}; a mask must have the {owner} shape (it is stretched to it).", field);
        }
    }
}
