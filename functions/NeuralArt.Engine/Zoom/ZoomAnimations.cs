namespace NeuralArt.Engine.Zoom;

/// <summary>The choices of the <c>animations</c> parameter: which files the frames are made into at the end.</summary>
public static class ZoomAnimations
{
    public const string GifAndMp4 = "gif+mp4";
    public const string Gif = "gif";
    public const string Mp4 = "mp4";
    public const string None = "none";
    public const string Default = GifAndMp4;

    public static IReadOnlyList<string> All { get; } = [GifAndMp4, Gif, Mp4, None];

    public static bool WritesGif(string choice) => choice is GifAndMp4 or Gif;

    public static bool WritesMp4(string choice) => choice is GifAndMp4 or Mp4;
}
