using System.Runtime.InteropServices;
using System.Text;
using NeuralArt.Contract;
using NeuralArt.Engine.Optimizers;
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
/// style, init and mask images as 8-bit RGB (targets are recomputed from them at each scale), where it
/// stands (scale, iteration), the random generator's state, the optimizer's state (L-BFGS history
/// or Adam moments, with the loss and gradient at the current point) and the current image in full
/// float precision.
/// </summary>
internal sealed class StyleState
{
    private static readonly byte[] Magic = "NASTYLE"u8.ToArray();
    // 2: masks after the init image, and the image is the canvas (output plus margin). Version 1
    // checkpoints (no masks, no margin) are still read, with the margin set to 0.
    // 3: the style images' own masks after the masks; version 2 checkpoints are read without them.
    private const byte FormatVersion = 3;
    private const byte FormatVersionWithoutStyleMasks = 2;
    private const byte FormatVersionWithoutMasks = 1;

    public required StyleSettings Settings { get; init; }

    public required StoredImage Content { get; init; }

    public required IReadOnlyList<StoredImage> Styles { get; init; }

    /// <summary>The init image, or <see cref="StoredImage.Empty"/>.</summary>
    public StoredImage Init { get; init; } = StoredImage.Empty;

    /// <summary>One mask per style image (white: that style applies there), or none.</summary>
    public IReadOnlyList<StoredImage> Masks { get; init; } = [];

    /// <summary>One mask per style image, on that style image (white: this part is the style to use), or none.</summary>
    public IReadOnlyList<StoredImage> StyleMasks { get; init; } = [];

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

    /// <summary>
    /// The optimizer state of the current scale as read (a slice of the checkpoint, not copied);
    /// empty before the scale's first iteration.
    /// </summary>
    public ReadOnlyMemory<byte> OptimizerBytes { get; set; }

    /// <summary>An optimizer to write in place of <see cref="OptimizerBytes"/> (serialized straight into the checkpoint).</summary>
    public IGradientOptimizer? Optimizer { get; set; }

    public required ImageTensor Image { get; set; }

    public int TotalIterations => Settings.Scales.Length * Settings.Iterations;

    /// <summary>The output size at the current scale (<see cref="Image"/> is that plus the margin on each side).</summary>
    public (int Height, int Width) OutputSize => StylePlan.Fit(Content.Height, Content.Width, Settings.Scales[Phase]);

    /// <summary>The reflected margin of the current scale's canvas, in pixels.</summary>
    public int Margin => StyleCanvas.MarginFor(OutputSize, Settings.Margin);

    public EngineProgress Progress() => new(
        Phase: Math.Min(Phase + 1, Settings.Scales.Length),
        PhaseCount: Settings.Scales.Length,
        PhaseIteration: Iteration,
        PhaseIterations: Settings.Iterations,
        CompletedIterations: CompletedIterations,
        TotalIterations: TotalIterations,
        Loss: LastLoss,
        IsComplete: IsComplete,
        Width: OutputSize.Width,
        Height: OutputSize.Height);

    /// <summary>
    /// Writes the checkpoint into one exactly sized array (a first pass only counts bytes): at
    /// 4096x4096 the image and an optimizer's vectors are hundreds of MB, and growing a stream and
    /// copying it out would need several times that.
    /// </summary>
    public byte[] Serialize()
    {
        var counter = new CountingStream();
        using (var writer = new BinaryWriter(counter, Encoding.UTF8, leaveOpen: true)) Write(writer);
        var bytes = new byte[counter.Length];
        using (var stream = new MemoryStream(bytes, writable: true))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            Write(writer);
            if (stream.Position != bytes.Length) throw new InvalidOperationException("The state's size changed while it was written.");
        }
        return bytes;
    }

    private void Write(BinaryWriter writer)
    {
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(Settings.ToJson());
        WriteImage(writer, Content);
        writer.Write(Styles.Count);
        foreach (var style in Styles) WriteImage(writer, style);
        WriteImage(writer, Init);
        writer.Write(Masks.Count);
        foreach (var mask in Masks) WriteImage(writer, mask);
        writer.Write(StyleMasks.Count);
        foreach (var mask in StyleMasks) WriteImage(writer, mask);
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
        if (Optimizer is not null)
        {
            // Length first, so a reader can step over it without parsing; the length comes from a counting pass.
            var counter = new CountingStream();
            using (var counting = new BinaryWriter(counter, Encoding.UTF8, leaveOpen: true)) OptimizerSerializer.Write(counting, Optimizer);
            writer.Write(counter.Length);
            OptimizerSerializer.Write(writer, Optimizer);
        }
        else
        {
            writer.Write((long)OptimizerBytes.Length);
            writer.Write(OptimizerBytes.Span);
        }
        writer.Write(Image.Height);
        writer.Write(Image.Width);
        writer.Write(MemoryMarshal.AsBytes(Image.Data.AsSpan()));
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
            if (version is not (FormatVersion or FormatVersionWithoutStyleMasks or FormatVersionWithoutMasks)) throw Invalid($"checkpoint format {version} is not supported (expected {FormatVersion})");
            var settings = StyleSettings.FromJson(reader.ReadString());
            if (version == FormatVersionWithoutMasks) settings = settings with { Margin = 0 };
            var content = ReadImage(reader);
            var styleCount = reader.ReadInt32();
            if (styleCount < 1 || styleCount > StyleSettings.MaxStyles) throw Invalid("its style image count is out of range");
            var styles = new List<StoredImage>(styleCount);
            for (var i = 0; i < styleCount; i++) styles.Add(ReadImage(reader));
            var init = ReadImage(reader);
            var masks = new List<StoredImage>();
            if (version != FormatVersionWithoutMasks)
            {
                var maskCount = reader.ReadInt32();
                if (maskCount != 0 && maskCount != styleCount) throw Invalid("its mask count does not match its style count");
                for (var i = 0; i < maskCount; i++) masks.Add(ReadImage(reader));
            }
            var styleMasks = new List<StoredImage>();
            if (version == FormatVersion)
            {
                var styleMaskCount = reader.ReadInt32();
                if (styleMaskCount != 0 && styleMaskCount != styleCount) throw Invalid("its style mask count does not match its style count");
                for (var i = 0; i < styleMaskCount; i++) styleMasks.Add(ReadImage(reader));
            }
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
            // The optimizer's state is kept as a slice of the checkpoint; it is parsed when a chunk runs.
            var optimizerLength = reader.ReadInt64();
            if (optimizerLength < 0 || optimizerLength > stream.Length - stream.Position) throw Invalid("its optimizer state length is out of range");
            var optimizer = bytes.Slice((int)stream.Position, (int)optimizerLength);
            stream.Seek(optimizerLength, SeekOrigin.Current);
            var height = reader.ReadInt32();
            var width = reader.ReadInt32();
            if (height <= 0 || width <= 0 || phase < 0 || phase >= settings.Scales.Length || iteration < 0 || iteration > settings.Iterations)
            {
                throw Invalid("its header is inconsistent");
            }
            var data = new float[checked(ImageTensor.Channels * height * width)];
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            if (stream.Position != stream.Length) throw Invalid("it has trailing data");
            var state = new StyleState
            {
                Settings = settings,
                Content = content,
                Styles = styles,
                Init = init,
                Masks = masks,
                StyleMasks = styleMasks,
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
                OptimizerBytes = optimizer,
                Image = new ImageTensor(height, width, data),
            };
            if (StyleCanvas.Size(state.OutputSize, state.Margin) != (height, width)) throw Invalid("its image size does not match its scale and margin");
            return state;
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OverflowException or ArgumentException or InvalidDataException)
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

    /// <summary>A write-only stream that only counts bytes (the first pass of <see cref="Serialize"/>).</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override void WriteByte(byte value) => _length++;
    }
}
