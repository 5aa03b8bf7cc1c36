namespace NeuralArt.Contract;

/// <summary>What an output of an engine is (<see cref="OutputDescriptor.Kind"/>).</summary>
public static class OutputKinds
{
    /// <summary>One still picture (<c>result.png</c>).</summary>
    public const string Image = "image";

    /// <summary>A numbered sequence of pictures, written one by one as the engine makes them (<c>frames/00000.png</c>, ...).</summary>
    public const string Frames = "frames";

    /// <summary>One animated picture file made from the frames (GIF).</summary>
    public const string Animation = "animation";

    /// <summary>One video file made from the frames (MP4).</summary>
    public const string Video = "video";
}
