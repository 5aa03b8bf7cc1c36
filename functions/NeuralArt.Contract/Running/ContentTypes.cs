namespace NeuralArt.Contract;

/// <summary>The media types of the files engines and hosts write.</summary>
public static class ContentTypes
{
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string Mp4 = "video/mp4";
    public const string Json = "application/json";
}
