using System.Buffers.Binary;
using System.Text.Json.Nodes;
using NeuralArt.Contract;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Testing;

/// <summary>
/// A sequence engine that lives outside the pipeline's assembly, with a kind, a role and outputs no
/// pipeline file names: frame k is the source image rolled right by <c>k * shift</c> pixels, made
/// after <c>iterations</c> steps of its own; the final step writes a contact strip of every frame.
/// If the pipeline needed a change to run a new kind of engine, the tests built on this one would
/// fail. Parameters: <c>frames</c> (1..32), <c>iterations</c> per frame (1..50), <c>shift</c> (0..64 px).
/// </summary>
public sealed class FlipbookEngine : IArtworkEngine
{
    public const string FlipbookKind = "flipbook";
    public const string StripFile = "strip.png";
    private const int MaxFrames = 32;
    private const int MaxIterationsPerFrame = 50;
    private const int MaxShift = 64;
    private static readonly byte[] Magic = "FLIP1"u8.ToArray();
    private const int HeaderInts = 6;

    public string Kind => FlipbookKind;

    public EngineDescriptor Describe(EngineLimits limits) => new()
    {
        Kind = Kind,
        Title = "Flipbook (test engine)",
        Description = "Rolls the picture a little further every frame.",
        Stage = "page",
        Inputs = [new() { Role = EngineDescriptor.SourceRole, Min = 1, Max = 1, Help = "The picture." }],
        Parameters =
        [
            new() { Name = "frames", Type = ParameterTypes.Integer, Minimum = 1, Maximum = Math.Min(MaxFrames, limits.MaxFrames), Default = 3, Help = "Frames." },
            new() { Name = "iterations", Type = ParameterTypes.Integer, Minimum = 1, Maximum = MaxIterationsPerFrame, Default = 2, Help = "Steps per frame." },
            new() { Name = "shift", Type = ParameterTypes.Integer, Minimum = 0, Maximum = MaxShift, Default = 5, Help = "Pixels rolled per frame." },
        ],
        Outputs =
        [
            new() { Name = "pages", Kind = OutputKinds.Frames, Formats = ["png"], Help = "Every frame." },
            new() { Name = "strip", Kind = OutputKinds.Image, Formats = ["png"], File = StripFile, Help = "All frames side by side." },
        ],
    };

    public JobPlan Plan(PlanRequest request)
    {
        var values = DescriptorCheck.Check(Describe(request.Limits), request.Inputs.Select(i => i.Role), request.ParametersJson);
        var (frames, iterations, _) = Read(values);
        var source = request.Inputs.Single(i => i.Role == EngineDescriptor.SourceRole);
        var pixels = (long)source.Width * source.Height;
        var total = (long)frames * iterations;
        return new JobPlan
        {
            ParametersJson = values.ToJsonString(),
            Model = "none",
            Stages = Enumerable.Range(0, frames).Select(_ => new StageSize(source.Width, source.Height, iterations)).ToList(),
            Cost = new JobCost { Iterations = total, PixelIterations = total * pixels, MultiplyAdds = total * pixels, PeakMemoryBytes = 4 * pixels, CheckpointBytes = 3 * pixels, WorkingPixels = pixels },
        };
    }

    public Task<EngineCheckpoint> StartAsync(ArtworkInputs inputs, CancellationToken cancellationToken = default)
    {
        var values = DescriptorCheck.Check(Describe(EngineLimits.Unbounded), inputs.Extras.Select(e => e.Role).Prepend(EngineDescriptor.SourceRole), inputs.ParametersJson);
        var (frames, iterations, shift) = Read(values);
        using var image = Image.Load<Rgb24>(inputs.Source.Span);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        var state = new State(image.Width, image.Height, frames, iterations, shift, 0, pixels);
        return Task.FromResult(new EngineCheckpoint(state.Serialize(), state.Progress()));
    }

    public Task<EngineCheckpoint> RunChunkAsync(ReadOnlyMemory<byte> bytes, int maxIterations, IProgress<EngineProgress>? progress = null, int? previewMaxSide = null, CancellationToken cancellationToken = default)
    {
        var state = State.Deserialize(bytes.Span);
        var frames = new List<EngineFrame>();
        // Never past the end of the current frame, as real sequence engines do.
        var left = Math.Min(maxIterations, state.Iterations - state.Completed % state.Iterations);
        for (var i = 0; i < left && state.Completed < state.Total; i++)
        {
            state = state with { Completed = state.Completed + 1 };
            if (state.Completed % state.Iterations == 0) frames.Add(new EngineFrame(state.Completed / state.Iterations - 1, Png(state.FramePixels(state.Completed / state.Iterations - 1), state.Width, state.Height)));
        }

        return Task.FromResult(new EngineCheckpoint(state.Serialize(), state.Progress()) { Frames = frames });
    }

    public Task<byte[]> RenderAsync(ReadOnlyMemory<byte> bytes, RenderFormat format, int? maxSide = null, CancellationToken cancellationToken = default)
    {
        var state = State.Deserialize(bytes.Span);
        var pixels = state.FramePixels(Math.Max(0, state.Completed / state.Iterations - 1));
        using var image = Image.LoadPixelData<Rgb24>(pixels, state.Width, state.Height);
        using var output = new MemoryStream();
        if (format == RenderFormat.Png) image.Save(output, new PngEncoder()); else image.Save(output, new JpegEncoder());
        return Task.FromResult(output.ToArray());
    }

    public async Task FinishAsync(ReadOnlyMemory<byte> bytes, IEngineOutputs outputs, CancellationToken cancellationToken = default)
    {
        var state = State.Deserialize(bytes.Span);
        using var strip = new Image<Rgb24>(state.Width * state.Frames, state.Height);
        for (var k = 0; k < state.Frames; k++)
        {
            using var frame = Image.Load<Rgb24>(await outputs.ReadFrameAsync(k, cancellationToken));
            var x = k * state.Width;
            strip.Mutate(c => c.DrawImage(frame, new Point(x, 0), 1f));
        }

        using var output = new MemoryStream();
        strip.Save(output, new PngEncoder());
        await outputs.WriteAsync(StripFile, output.ToArray(), ContentTypes.Png, cancellationToken);
    }

    /// <summary>Frame <paramref name="k"/> of <paramref name="source"/> as the engine makes it (for tests' expectations).</summary>
    public static byte[] ExpectedFrame(byte[] source, int width, int height, int shift, int k) =>
        new State(width, height, 1, 1, shift, 0, source).FramePixels(k);

    public static byte[] Png(byte[] rgb, int width, int height)
    {
        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        using var output = new MemoryStream();
        image.Save(output, new PngEncoder());
        return output.ToArray();
    }

    private static (int Frames, int Iterations, int Shift) Read(JsonObject values) =>
        ((int?)values["frames"] ?? 3, (int?)values["iterations"] ?? 2, (int?)values["shift"] ?? 5);

    private sealed record State(int Width, int Height, int Frames, int Iterations, int Shift, int Completed, byte[] Source)
    {
        public int Total => Frames * Iterations;

        public EngineProgress Progress()
        {
            var frame = Math.Min(Completed / Iterations, Frames - 1);
            return new EngineProgress(frame + 1, Frames, Completed - frame * Iterations, Iterations, Completed, Total, 0, Completed == Total, Width, Height);
        }

        public byte[] FramePixels(int k)
        {
            var rolled = new byte[Source.Length];
            var by = Width == 0 ? 0 : (k * Shift) % Width;
            for (var y = 0; y < Height; y++)
            {
                for (var x = 0; x < Width; x++)
                {
                    Array.Copy(Source, (y * Width + x) * 3, rolled, (y * Width + (x + by) % Width) * 3, 3);
                }
            }

            return rolled;
        }

        public byte[] Serialize()
        {
            var bytes = new byte[Magic.Length + HeaderInts * sizeof(int) + Source.Length];
            Magic.CopyTo(bytes, 0);
            var span = bytes.AsSpan(Magic.Length);
            foreach (var value in new[] { Width, Height, Frames, Iterations, Shift, Completed })
            {
                BinaryPrimitives.WriteInt32LittleEndian(span, value);
                span = span[sizeof(int)..];
            }

            Source.CopyTo(span);
            return bytes;
        }

        public static State Deserialize(ReadOnlySpan<byte> bytes)
        {
            if (!bytes.StartsWith(Magic)) throw new InvalidArtworkInputException("Not a flipbook state.");
            var header = new int[HeaderInts];
            for (var k = 0; k < HeaderInts; k++) header[k] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(Magic.Length + k * sizeof(int))..]);
            return new State(header[0], header[1], header[2], header[3], header[4], header[5], bytes[(Magic.Length + HeaderInts * sizeof(int))..].ToArray());
        }
    }
}
