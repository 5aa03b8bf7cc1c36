using System.Text;
using NeuralArt.Contract;
using NeuralArt.Engine.Dream;

namespace NeuralArt.Engine.Zoom;

/// <summary>
/// What a zoom needs to continue, and nothing more: its settings (with the job's seed), the frame
/// being dreamed and that frame's dream state (whose source is the frame's start image: the
/// previous frame moved, or the photo). Finished frames are handed over by the chunk that made them
/// and never kept here. The zoom is complete when its last frame's dream is.
/// </summary>
internal sealed class ZoomState
{
    private static readonly byte[] Magic = "NAZOOM"u8.ToArray();
    private const byte FormatVersion = 1;

    public ZoomState(ZoomSettings settings, int frame, DreamState dream)
    {
        Settings = settings;
        Frame = frame;
        Dream = dream;
    }

    public ZoomSettings Settings { get; }

    /// <summary>0-based frame being dreamed (the last one once complete).</summary>
    public int Frame { get; }

    public DreamState Dream { get; }

    public bool IsComplete => Frame == Settings.Frames - 1 && Dream.IsComplete;

    public EngineProgress Progress() => new(
        Phase: Frame + 1,
        PhaseCount: Settings.Frames,
        PhaseIteration: Dream.CompletedIterations,
        PhaseIterations: Settings.FrameIterations,
        CompletedIterations: Frame * Settings.FrameIterations + Dream.CompletedIterations,
        TotalIterations: Settings.Frames * Settings.FrameIterations,
        Loss: Dream.LastLoss,
        IsComplete: IsComplete,
        Width: Dream.Image.Width,
        Height: Dream.Image.Height);

    public byte[] Serialize()
    {
        var dream = Dream.Serialize();
        using var stream = new MemoryStream(dream.Length + Magic.Length + 1024);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(Settings.ToJson());
            writer.Write(Frame);
            writer.Write(dream.Length);
            writer.Write(dream);
        }
        return stream.ToArray();
    }

    public static ZoomState Deserialize(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw Invalid("it is not a zoom checkpoint");
            var version = reader.ReadByte();
            if (version != FormatVersion) throw Invalid($"checkpoint format {version} is not supported (expected {FormatVersion})");
            var settings = ZoomSettings.FromJson(reader.ReadString());
            var frame = reader.ReadInt32();
            var length = reader.ReadInt32();
            var dream = reader.ReadBytes(length);
            if (dream.Length != length || stream.Position != stream.Length) throw Invalid("it is truncated or has trailing data");
            if (frame < 0 || frame >= settings.Frames) throw Invalid("its frame number is out of range");
            return new ZoomState(settings, frame, DreamState.Deserialize(dream));
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or ArgumentException)
        {
            throw Invalid("it is truncated or corrupt", ex);
        }
    }

    private static InvalidArtworkInputException Invalid(string why, Exception? inner = null) =>
        new($"The zoom state cannot be resumed: {why}.", "state", inner);
}
