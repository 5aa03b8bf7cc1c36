namespace NeuralArt.Engine.Video;

/// <summary>Recognises the video containers the engines take by their first bytes (nothing decoded).</summary>
internal static class VideoContainers
{
    private static readonly byte[] Matroska = [0x1A, 0x45, 0xDF, 0xA3];
    /// <summary>ISO base media (MP4, MOV) boxes a file may start with; the type sits at bytes 4..7.</summary>
    private static readonly string[] IsoBoxes = ["ftyp", "moov", "mdat", "wide", "free", "skip"];
    private const int BoxTypeOffset = 4;
    private const int BoxTypeLength = 4;

    public static bool IsVideo(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith(Matroska)) return true;
        if (header.Length < BoxTypeOffset + BoxTypeLength) return false;
        var type = System.Text.Encoding.ASCII.GetString(header.Slice(BoxTypeOffset, BoxTypeLength));
        return IsoBoxes.Contains(type, StringComparer.Ordinal);
    }

    public static bool IsGif(ReadOnlySpan<byte> header) => header.StartsWith("GIF8"u8);
}
