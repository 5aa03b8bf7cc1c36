namespace NeuralArt.Engine;

/// <summary>The job kinds of the engines this assembly provides (the pipeline names none of them).</summary>
public static class ArtworkKinds
{
    public const string Dream = "dream";
    public const string Style = "style";
    public const string Zoom = "zoom";
    public const string VideoStyle = "video-style";
    public const string VideoDream = "video-dream";
}
