using System.Globalization;

namespace NeuralArt.Contract;

/// <summary>Where frame k of a sequence lives under a job's outputs: <c>frames/00000.png</c> (names sort in frame order).</summary>
public static class FrameNames
{
    public const string Folder = "frames";

    /// <summary>Digits of a frame number in its file name (five: up to 100,000 frames sort by name).</summary>
    private const string NumberFormat = "D5";

    public static string File(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return $"{Folder}/{index.ToString(NumberFormat, CultureInfo.InvariantCulture)}.png";
    }
}
