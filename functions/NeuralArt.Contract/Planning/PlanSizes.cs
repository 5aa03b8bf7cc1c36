namespace NeuralArt.Contract;

/// <summary>Image sizes a plan predicts from headers alone, rounding as the resizes that make them do.</summary>
public static class PlanSizes
{
    /// <summary>Scaled down (never up) so the longer side is at most <paramref name="maxSide"/>, aspect kept.</summary>
    /// <remarks>
    /// Width first, unlike the engines' (Height, Width) tuples (which follow the NCHW tensor layout):
    /// it takes and gives image-header sizes (<see cref="InputHeader"/>, ImageSharp), which are width-first.
    /// </remarks>
    public static (int Width, int Height) FitWithin(int width, int height, int maxSide)
    {
        var longer = Math.Max(width, height);
        if (longer <= maxSide) return (width, height);
        var ratio = (double)maxSide / longer;
        return (Math.Max(1, (int)Math.Round(width * ratio)), Math.Max(1, (int)Math.Round(height * ratio)));
    }
}
