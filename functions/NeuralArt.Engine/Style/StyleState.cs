using System.Runtime.InteropServices;
using System.Text;
using NeuralArt.Engine.Jobs;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Style;

/// <summary>An 8-bit RGB image kept in a checkpoint (interleaved bytes), from which each scale's inputs are recomputed bit-exactly.</summary>
internal sealed record StoredImage(int Width, int Height, byte[] Rgb)
{
    public static StoredImage Empty { get; } = new(0, 0, []);

    public bool IsEmpty => Rgb.Length == 0;
}

/// <summary>
/// Everything a style transfer needs to resume exactly: the settings (with the seed), the content,
/// style and init images as 8-bit RGB (targets are recomputed from them at each scale), where it
/// stands (scale, iteration), the random generator's state, the optimizer's state (L-BFGS history
/// or Adam moments, with the loss and gradient at the current point) and the current image in full
/// float precision.
/// </summary>
internal sealed class StyleState
{
    private static readonly byte[] Magic = "NASTYLE"u8.ToArray();
    private const byte FormatVersion = 1;

    public required StyleSettings Settings { get; init; }

    public required StoredImage Content { get; init; }

    public required IReadOnlyList<StoredImage> Styles { get; init; }

    /// <summary>The init image, or <see cref="StoredImage.Empty"/>.</summary>
    public StoredImage Init { get; init; } = StoredImage.Empty;

    /// <summary>0-based scale index, coarsest first.</summary>
    public int Phase { get; set; }

    /// <summary>Iterations done at the current scale.</summary>
    public int Iteration { get; set; }

    public int CompletedIterations { get; set; }

    public bool IsComplete { get; set; }

    public double LastLoss { get; set; } = double.NaN;

    /// <summary>The weighted style, content and total-variation parts of <see cref="LastLoss"/>, when known.</summary>
    public double LastStyleLoss { get; set; } = double.NaN;

    public double LastContentLoss { get; set; } = double.NaN;

    public double LastTvLoss { get; set; } = double.NaN;

    public int Evaluations { get; set; }

    public ulong RandomState { get; set; }

    /// <summary>Serialized optimizer state for the current scale; empty before its first iteration.</summary>
    public byte[] Optimizer { get; set; } = [];

    public required ImageTensor Image { get; set; }

    public int TotalIterations => Settings.Scales.Length * Settings.Iterations;

    public EngineProgress Progress() => new(
        Phase: Math.Min(Phase + 1, Settings.Scales.Length),
        PhaseCount: Settings.Scales.Length,
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
        var capacity = Content.Rgb.Length + Styles.Sum(s => s.Rgb.Length) + Init.Rgb.Length + Optimizer.Length + Image.Data.Length * sizeof(float) + 4096;
        using var stream = new MemoryStream(capacity);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(Settings.ToJson());
            WriteImage(writer, Content);
            writer.Write(Styles.Count);
            foreach (var style in Styles) WriteImage(writer, style);
            WriteImage(writer, Init);
            writer.Write(Phase);
            writer.Write(Iteration);
            writer.Write(CompletedIterations);
            writer.Write(IsComplete);
            writer.Write(LastLoss);
            writer.Write(LastStyleLoss);
            writer.Write(LastContentLoss);
            writer.Write(LastTvLoss);
            writer.Write(Evaluations);
            writer.Write(RandomState);
            writer.Write(Optimizer.Length);
            writer.Write(Optimizer);
            writer.Write(Image.Height);
            writer.Write(Image.Width);
            writer.Write(MemoryMarshal.AsBytes(Image.Data.AsSpan()));
        }
        return stream.ToArray();
    }

    public static StyleState Deserialize(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var stream = MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Array is not null
                ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(bytes.ToArray(), writable: false);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw Invalid("it is not a style checkpoint");
            var version = reader.ReadByte();
            if (version != FormatVersion) throw Invalid($"checkpoint format {version} is not supported (expected {FormatVersion})");
            var settings = StyleSettings.FromJson(reader.ReadString());
            var content = ReadImage(reader);
            var styleCount = reader.ReadInt32();
            if (styleCount < 1 || styleCount > StyleSettings.MaxStyles) throw Invalid("its style image count is out of range");
            var styles = new List<StoredImage>(styleCount);
            for (var i = 0; i < styleCount; i++) styles.Add(ReadImage(reader));
            var init = ReadImage(reader);
            var phase = reader.ReadInt32();
            var iteration = reader.ReadInt32();
            var completed = reader.ReadInt32();
            var complete = reader.ReadBoolean();
            var loss = reader.ReadDouble();
            var styleLoss = reader.ReadDouble();
            var contentLoss = reader.ReadDouble();
            var tvLoss = reader.ReadDouble();
            var evaluations = reader.ReadInt32();
            var random = reader.ReadUInt64();
            var optimizerLength = reader.ReadInt32();
            if (optimizerLength < 0) throw Invalid("its optimizer state length is negative");
            var optimizer = reader.ReadBytes(optimizerLength);
            if (optimizer.Length != optimizerLength) throw new EndOfStreamException();
            var height = reader.ReadInt32();
            var width = reader.ReadInt32();
            if (height <= 0 || width <= 0 || phase < 0 || phase >= settings.Scales.Length || iteration < 0 || iteration > settings.Iterations)
            {
                throw Invalid("its header is inconsistent");
            }
            var data = new float[checked(ImageTensor.Channels * height * width)];
            var raw = reader.ReadBytes(data.Length * sizeof(float));
            if (raw.Length != data.Length * sizeof(float) || stream.Position != stream.Length) throw Invalid("it is truncated or has trailing data");
            raw.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
            return new StyleState
            {
                Settings = settings,
                Content = content,
                Styles = styles,
                Init = init,
                Phase = phase,
                Iteration = iteration,
                CompletedIterations = completed,
                IsComplete = complete,
                LastLoss = loss,
                LastStyleLoss = styleLoss,
                LastContentLoss = contentLoss,
                LastTvLoss = tvLoss,
                Evaluations = evaluations,
                RandomState = random,
                Optimizer = optimizer,
                Image = new ImageTensor(height, width, data),
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OverflowException or ArgumentException)
        {
            throw Invalid("it is truncated or corrupt", ex);
        }
    }

    private static void WriteImage(BinaryWriter writer, StoredImage image)
    {
        writer.Write(image.Width);
        writer.Write(image.Height);
        writer.Write(image.Rgb.Length);
        writer.Write(image.Rgb);
    }

    private static StoredImage ReadImage(BinaryReader reader)
    {
        var width = reader.ReadInt32();
        var height = reader.ReadInt32();
        var length = reader.ReadInt32();
        if (width < 0 || height < 0 || length != checked(width * height * ImageTensor.Channels)) throw Invalid("its image sizes do not match their data");
        var rgb = reader.ReadBytes(length);
        if (rgb.Length != length) throw new EndOfStreamException();
        return length == 0 ? StoredImage.Empty : new StoredImage(width, height, rgb);
    }

    private static InvalidArtworkInputException Invalid(string why, Exception? inner = null) =>
        new($"The style state cannot be resumed: {why}.", "state", inner);
}
