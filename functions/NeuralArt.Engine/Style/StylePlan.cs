namespace NeuralArt.Engine.Style;

/// <summary>The image size at each scale: the long side is the scale, the short side keeps the content's aspect ratio.</summary>
public static class StylePlan
{
    /// <summary>The smallest side a scale may have: below it the deepest taps have no spatial extent left.</summary>
    public const int MinSide = 32;

    public static IReadOnlyList<(int Height, int Width)> Sizes(int height, int width, IReadOnlyList<int> scales) =>
        scales.Select(s => Fit(height, width, s)).ToList();

    /// <summary>Scales (height, width) so the longer side is <paramref name="longSide"/>.</summary>
    public static (int Height, int Width) Fit(int height, int width, int longSide)
    {
        if (height >= width) return (longSide, Math.Max(1, (int)Math.Round((double)width * longSide / height, MidpointRounding.AwayFromZero)));
        return (Math.Max(1, (int)Math.Round((double)height * longSide / width, MidpointRounding.AwayFromZero)), longSide);
    }
}
