using System.Runtime.InteropServices;
using System.Text;
using NeuralArt.Contract;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Video;

/// <summary>
/// What a video job needs to go on between any two chunks, within a frame or between frames: its
/// settings, the clip's frames at the working size (8-bit RGB, decoded once at the start), its sound
/// (to copy into the video at the end), the frame being made, and that frame's still-engine state
/// (<see cref="Inner"/>). For the frame being made it also keeps what was derived from the previous
/// frame and the optical flow, computed once when that frame finished: the previous result warped
/// onto this frame and the consistency mask (the temporal loss needs both at every iteration). So a
/// resumed chunk never recomputes flow; the flow of the next pair is computed when this frame ends.
/// Finished frames are handed over by the chunk that made them and not kept.
/// </summary>
internal sealed class VideoState
{
    private static readonly byte[] Magic = "NAVIDEO"u8.ToArray();
    private const byte FormatVersion = 1;

    public required string SettingsJson { get; init; }

    /// <summary>Frames per second of the output (the sampled rate).</summary>
    public required double Fps { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>Every frame of the clip to make, 8-bit interleaved RGB at <see cref="Width"/> x <see cref="Height"/>.</summary>
    public required IReadOnlyList<byte[]> Sources { get; init; }

    /// <summary>The clip's first audio track (a Matroska file), or empty.</summary>
    public byte[] Audio { get; init; } = [];

    /// <summary>0-based frame being made (the last one once complete).</summary>
    public int Frame { get; set; }

    /// <summary>The previous frame's result warped onto this frame (planar floats), or null (frame 0, or coherence none).</summary>
    public ImageTensor? Warped { get; set; }

    /// <summary>The consistency mask of this frame (one value per pixel), or null with <see cref="Warped"/>.</summary>
    public float[]? Mask { get; set; }

    /// <summary>The loss each finished frame ended with (the style engine: its style part), in frame order.</summary>
    public List<double> FrameLosses { get; init; } = [];

    /// <summary>The still engine's state of the frame being made.</summary>
    public required byte[] Inner { get; set; }

    public int FrameCount => Sources.Count;

    /// <summary>Frame <paramref name="index"/> of the clip as planar floats.</summary>
    public ImageTensor Source(int index)
    {
        using var image = ImageTensorConversions.FromRgbBytes(Sources[index], Width, Height);
        return image.ToTensor();
    }

    public byte[] Serialize()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(SettingsJson);
            writer.Write(Fps);
            writer.Write(Width);
            writer.Write(Height);
            writer.Write(Sources.Count);
            foreach (var source in Sources) writer.Write(source);
            writer.Write(Audio.Length);
            writer.Write(Audio);
            writer.Write(Frame);
            writer.Write(FrameLosses.Count);
            foreach (var loss in FrameLosses) writer.Write(loss);
            writer.Write(Warped is not null && Mask is not null);
            if (Warped is not null && Mask is not null)
            {
                writer.Write(MemoryMarshal.AsBytes(Warped.Data.AsSpan()));
                writer.Write(MemoryMarshal.AsBytes(Mask.AsSpan()));
            }
            writer.Write(Inner.Length);
            writer.Write(Inner);
        }
        return stream.ToArray();
    }

    public static VideoState Deserialize(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw Invalid("it is not a video checkpoint");
            var version = reader.ReadByte();
            if (version != FormatVersion) throw Invalid($"checkpoint format {version} is not supported (expected {FormatVersion})");
            var settings = reader.ReadString();
            var fps = reader.ReadDouble();
            var width = reader.ReadInt32();
            var height = reader.ReadInt32();
            var count = reader.ReadInt32();
            if (width <= 0 || height <= 0 || count <= 0) throw Invalid("its header is inconsistent");
            var frameBytes = checked(ImageTensor.Channels * width * height);
            var sources = new List<byte[]>(count);
            for (var i = 0; i < count; i++) sources.Add(ReadExactly(reader, frameBytes));
            var audio = ReadExactly(reader, reader.ReadInt32());
            var frame = reader.ReadInt32();
            if (frame < 0 || frame >= count) throw Invalid("its frame number is out of range");
            var lossCount = reader.ReadInt32();
            if (lossCount < 0 || lossCount > count) throw Invalid("its frame losses are out of range");
            var losses = new List<double>(lossCount);
            for (var i = 0; i < lossCount; i++) losses.Add(reader.ReadDouble());
            ImageTensor? warped = null;
            float[]? mask = null;
            if (reader.ReadBoolean())
            {
                warped = new ImageTensor(height, width);
                stream.ReadExactly(MemoryMarshal.AsBytes(warped.Data.AsSpan()));
                mask = new float[width * height];
                stream.ReadExactly(MemoryMarshal.AsBytes(mask.AsSpan()));
            }
            var inner = ReadExactly(reader, reader.ReadInt32());
            if (stream.Position != stream.Length) throw Invalid("it has trailing data");
            return new VideoState
            {
                SettingsJson = settings,
                Fps = fps,
                Width = width,
                Height = height,
                Sources = sources,
                Audio = audio,
                Frame = frame,
                FrameLosses = losses,
                Warped = warped,
                Mask = mask,
                Inner = inner,
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OverflowException or ArgumentException or InvalidDataException)
        {
            throw Invalid("it is truncated or corrupt", ex);
        }
    }

    private static byte[] ReadExactly(BinaryReader reader, int length)
    {
        if (length < 0) throw new InvalidDataException("negative length");
        var bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new EndOfStreamException();
    }

    private static InvalidArtworkInputException Invalid(string why, Exception? inner = null) =>
        new($"The video state cannot be resumed: {why}.", "state", inner);
}
