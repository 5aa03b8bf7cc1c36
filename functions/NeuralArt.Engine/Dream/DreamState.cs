using System.Runtime.InteropServices;
using System.Text;
using NeuralArt.Contract;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Dream;

/// <summary>
/// Everything a dream needs to resume exactly: the settings (with the seed), the working-size source
/// image (8-bit RGB, compact, from which octave bases are recomputed bit-exactly), the guide image,
/// where it stands (octave, iteration), the random generator's state and the current image in full
/// float precision. The detail carried from octave to octave lives in the current image: it is
/// <c>image - base(octave)</c>, taken and upscaled when an octave ends.
/// </summary>
internal sealed class DreamState
{
    private static readonly byte[] Magic = "NADREAM"u8.ToArray();
    private const byte FormatVersion = 1;

    public required DreamSettings Settings { get; init; }

    public required int SourceWidth { get; init; }

    public required int SourceHeight { get; init; }

    /// <summary>Working-size source, interleaved RGB bytes.</summary>
    public required byte[] Source { get; init; }

    public int GuideWidth { get; init; }

    public int GuideHeight { get; init; }

    /// <summary>Guide image (interleaved RGB) or empty when the dream is not guided.</summary>
    public byte[] Guide { get; init; } = [];

    public bool IsGuided => Guide.Length > 0;

    /// <summary>0-based octave, smallest first.</summary>
    public int Octave { get; set; }

    /// <summary>Steps done in the current octave.</summary>
    public int Iteration { get; set; }

    public int CompletedIterations { get; set; }

    public bool IsComplete { get; set; }

    public double LastLoss { get; set; } = double.NaN;

    public ulong RandomState { get; set; }

    public required ImageTensor Image { get; set; }

    public int TotalIterations => Settings.Octaves * Settings.Iterations;

    public EngineProgress Progress() => new(
        Phase: Math.Min(Octave + 1, Settings.Octaves),
        PhaseCount: Settings.Octaves,
        PhaseIteration: Iteration,
        PhaseIterations: Settings.Iterations,
        CompletedIterations: CompletedIterations,
        TotalIterations: TotalIterations,
        Loss: LastLoss,
        IsComplete: IsComplete,
        Width: Image.Width,
        Height: Image.Height);

    public byte[] Serialize()
    {
        using var stream = new MemoryStream(Source.Length + Guide.Length + Image.Data.Length * sizeof(float) + 1024);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(Settings.ToJson());
            writer.Write(SourceWidth);
            writer.Write(SourceHeight);
            WriteBytes(writer, Source);
            writer.Write(GuideWidth);
            writer.Write(GuideHeight);
            WriteBytes(writer, Guide);
            writer.Write(Octave);
            writer.Write(Iteration);
            writer.Write(CompletedIterations);
            writer.Write(IsComplete);
            writer.Write(LastLoss);
            writer.Write(RandomState);
            writer.Write(Image.Height);
            writer.Write(Image.Width);
            writer.Write(MemoryMarshal.AsBytes(Image.Data.AsSpan()));
        }
        return stream.ToArray();
    }

    public static DreamState Deserialize(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw Invalid("it is not a dream checkpoint");
            var version = reader.ReadByte();
            if (version != FormatVersion) throw Invalid($"checkpoint format {version} is not supported (expected {FormatVersion})");
            var settings = DreamSettings.FromJson(reader.ReadString());
            var sourceWidth = reader.ReadInt32();
            var sourceHeight = reader.ReadInt32();
            var source = ReadBytes(reader, checked(sourceWidth * sourceHeight * ImageTensor.Channels));
            var guideWidth = reader.ReadInt32();
            var guideHeight = reader.ReadInt32();
            var guide = ReadBytes(reader, checked(guideWidth * guideHeight * ImageTensor.Channels));
            var octave = reader.ReadInt32();
            var iteration = reader.ReadInt32();
            var completed = reader.ReadInt32();
            var complete = reader.ReadBoolean();
            var loss = reader.ReadDouble();
            var random = reader.ReadUInt64();
            var height = reader.ReadInt32();
            var width = reader.ReadInt32();
            if (height <= 0 || width <= 0 || octave < 0 || octave >= settings.Octaves) throw Invalid("its header is inconsistent");
            var data = new float[checked(ImageTensor.Channels * height * width)];
            var raw = reader.ReadBytes(data.Length * sizeof(float));
            if (raw.Length != data.Length * sizeof(float) || stream.Position != stream.Length) throw Invalid("it is truncated or has trailing data");
            raw.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
            return new DreamState
            {
                Settings = settings,
                SourceWidth = sourceWidth,
                SourceHeight = sourceHeight,
                Source = source,
                GuideWidth = guideWidth,
                GuideHeight = guideHeight,
                Guide = guide,
                Octave = octave,
                Iteration = iteration,
                CompletedIterations = completed,
                IsComplete = complete,
                LastLoss = loss,
                RandomState = random,
                Image = new ImageTensor(height, width, data),
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OverflowException or ArgumentException)
        {
            throw Invalid("it is truncated or corrupt", ex);
        }
    }

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader, int expected)
    {
        var length = reader.ReadInt32();
        if (length != expected) throw Invalid("its image sizes do not match their data");
        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length) throw new EndOfStreamException();
        return bytes;
    }

    private static InvalidArtworkInputException Invalid(string why, Exception? inner = null) =>
        new($"The dream state cannot be resumed: {why}.", "state", inner);
}
