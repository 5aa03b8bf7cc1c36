namespace NeuralArt.Contract;

/// <summary>An input image as its header describes it (nothing decoded): role, name, size.</summary>
public sealed record InputHeader(string Role, string Name, int Width, int Height)
{
    /// <summary>For a video (or an animated image): the frames its container header states; null for a still.</summary>
    public int? Frames { get; init; }

    /// <summary>For a video: its length in seconds as the header states it; null for a still.</summary>
    public double? Seconds { get; init; }
}
