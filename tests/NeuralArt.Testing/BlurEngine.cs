using NeuralArt.Engine;
using System.Buffers.Binary;
using System.Text.Json;
using NeuralArt.Contract;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Testing;

/// <summary>
/// A deterministic stand-in for the real engines: each iteration blurs the image a little (integer
/// arithmetic, so any chunking gives the same bytes) in a number of phases like octaves. Its state
/// is plain bytes, it checks its inputs like a real engine, and it can be told to fail or to run slowly.
/// Parameters (JSON): <c>phases</c> (1..8, default 2), <c>iterations</c> per phase (1..10000, default 4),
/// <c>delayMs</c> per iteration (0..60000, default 0).
/// </summary>
public sealed class BlurEngine(string kind = ArtworkKinds.Dream) : IArtworkEngine
{
    private const int MaxPixels = 4096 * 4096;
    private static readonly byte[] Magic = "BLUR1"u8.ToArray();
    private const int HeaderInts = 6;

    private int startCalls;
    private int chunkCalls;

    public string Kind { get; } = kind;

    /// <summary>Calls to <see cref="StartAsync"/> so far (tests check that bad input is not retried).</summary>
    public int StartCalls => startCalls;

    /// <summary>Calls to <see cref="RunChunkAsync"/> so far.</summary>
    public int ChunkCalls => chunkCalls;

    /// <summary>Iterations actually computed so far (work done twice counts twice).</summary>
    public int IterationsComputed;

    /// <summary>Called before each chunk with the 1-based chunk call number; throw from it to inject a fault.</summary>
    public Action<int>? BeforeChunk { get; set; }

    /// <summary>Multiply-adds of one blur iteration per pixel: a 3x3 box on 3 channels.</summary>
    public const int MacsPerPixelIteration = 27;

    /// <summary>Role of the style images a <c>style</c>-kind blur engine requires (like the real one).</summary>
    public const string StyleRole = "style";

    /// <summary>Role of the optional masks a <c>style</c>-kind blur engine accepts (like the real one).</summary>
    public const string MaskRole = "mask";

    public EngineDescriptor Describe(EngineLimits limits) => new()
    {
        Kind = Kind,
        Title = "Blur (test engine)",
        Description = "Blurs the image a little per iteration.",
        Stage = "phase",
        Inputs = Kind == ArtworkKinds.Style
            ? [new() { Role = EngineDescriptor.SourceRole, Min = 1, Max = 1, Help = "The image." },
               new() { Role = StyleRole, Min = 1, Max = 2, Library = "styles", Help = "Style images (unused)." },
               new() { Role = MaskRole, Min = 0, Max = 2, Help = "Masks (unused), as the style engine takes them." }]
            : [new() { Role = EngineDescriptor.SourceRole, Min = 1, Max = 1, Help = "The image." }],
        Parameters =
        [
            new() { Name = "phases", Type = ParameterTypes.Integer, Minimum = 1, Maximum = 8, Default = 2, Help = "Phases." },
            new() { Name = "iterations", Type = ParameterTypes.Integer, Minimum = 1, Maximum = Math.Min(10000, limits.MaxIterations), Default = 4, Help = "Iterations per phase." },
            new() { Name = "delayMs", Type = ParameterTypes.Integer, Minimum = 0, Maximum = 60000, Default = 0, Help = "Delay per iteration." },
        ],
        Outputs = [OutputDescriptor.Result],
    };

    public JobPlan Plan(PlanRequest request)
    {
        var values = DescriptorCheck.Check(Describe(request.Limits), request.Inputs.Select(i => i.Role), request.ParametersJson);
        var settings = Settings.Parse(values.ToJsonString());
        var source = request.Inputs.Where(i => i.Role == EngineDescriptor.SourceRole).ToList();
        if (source.Count != 1) throw new InvalidArtworkInputException("One source image is needed.", EngineDescriptor.SourceRole);
        if (Kind == ArtworkKinds.Style && !request.Inputs.Any(i => i.Role == StyleRole)) throw new InvalidArtworkInputException("A style job needs a style image.", StyleRole);
        var pixels = (long)source[0].Width * source[0].Height;
        if (pixels > Math.Min(MaxPixels, request.Limits.MaxWorkingPixels)) throw new InvalidArtworkInputException("The source image is too large.", EngineDescriptor.SourceRole);
        var total = (long)settings.Phases * settings.Iterations;
        if (total > request.Limits.MaxIterations) throw new InvalidArtworkInputException("Too many iterations.", "iterations");
        var checkpoint = 3 * pixels + 64;
        return new JobPlan
        {
            ParametersJson = values.ToJsonString(),
            Model = "blur",
            Stages = Enumerable.Range(0, settings.Phases).Select(_ => new StageSize(source[0].Width, source[0].Height, settings.Iterations)).ToList(),
            Cost = new JobCost
            {
                Iterations = total,
                PixelIterations = pixels * total,
                MultiplyAdds = MacsPerPixelIteration * pixels * total,
                PeakMemoryBytes = 3 * checkpoint,
                CheckpointBytes = checkpoint,
                WorkingPixels = pixels,
            },
        };
    }

    public Task<EngineCheckpoint> StartAsync(ArtworkInputs inputs, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref startCalls);
        var settings = Settings.Parse(inputs.ParametersJson);
        if (Kind == ArtworkKinds.Style && !inputs.Extras.Any(e => e.Role == StyleRole))
        {
            throw new InvalidArtworkInputException("A style job needs a style image.", StyleRole);
        }

        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(inputs.Source.Span);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new InvalidArtworkInputException($"The source image cannot be decoded: {e.Message}", EngineDescriptor.SourceRole, e);
        }

        using (image)
        {
            if ((long)image.Width * image.Height > MaxPixels)
            {
                throw new InvalidArtworkInputException("The source image is too large.", EngineDescriptor.SourceRole);
            }

            var pixels = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(pixels);
            var state = new State(image.Width, image.Height, settings.Phases, settings.Iterations, settings.DelayMs, 1, 0, pixels);
            return Task.FromResult(new EngineCheckpoint(state.Serialize(), state.Progress));
        }
    }

    public async Task<EngineCheckpoint> RunChunkAsync(ReadOnlyMemory<byte> state, int maxIterations, IProgress<EngineProgress>? progress = null, int? previewMaxSide = null, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref chunkCalls);
        BeforeChunk?.Invoke(call);
        var s = State.Deserialize(state.Span);
        if (s.PhaseIteration >= s.IterationsPerPhase && s.Phase < s.Phases)
        {
            // Like an octave change: the next phase starts before its first iteration.
            s = s with { Phase = s.Phase + 1, PhaseIteration = 0 };
        }

        var run = Math.Min(maxIterations, s.IterationsPerPhase - s.PhaseIteration);
        var pixels = s.Pixels;
        for (var i = 0; i < run; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (s.DelayMs > 0)
            {
                await Task.Delay(s.DelayMs, cancellationToken).ConfigureAwait(false);
            }

            pixels = BlurStep(pixels, s.Width, s.Height, s.CompletedIterations + i);
            Interlocked.Increment(ref IterationsComputed);
            progress?.Report((s with { PhaseIteration = s.PhaseIteration + i + 1, Pixels = pixels }).Progress);
        }

        var next = s with { PhaseIteration = s.PhaseIteration + run, Pixels = pixels };
        return new EngineCheckpoint(next.Serialize(), next.Progress);
    }

    public async Task FinishAsync(ReadOnlyMemory<byte> state, IEngineOutputs outputs, CancellationToken cancellationToken = default)
    {
        var png = await RenderAsync(state, RenderFormat.Png, null, cancellationToken).ConfigureAwait(false);
        await outputs.WriteAsync(OutputDescriptor.Result.File!, png, ContentTypes.Png, cancellationToken).ConfigureAwait(false);
    }

    public Task<byte[]> RenderAsync(ReadOnlyMemory<byte> state, RenderFormat format, int? maxSide = null, CancellationToken cancellationToken = default)
    {
        var s = State.Deserialize(state.Span);
        using var image = Image.LoadPixelData<Rgb24>(s.Pixels, s.Width, s.Height);
        if (maxSide is { } side && Math.Max(s.Width, s.Height) > side)
        {
            image.Mutate(x => x.Resize(new ResizeOptions { Mode = ResizeMode.Max, Size = new Size(side, side) }));
        }

        using var output = new MemoryStream();
        if (format == RenderFormat.Png)
        {
            image.Save(output, new PngEncoder());
        }
        else
        {
            image.Save(output, new JpegEncoder { Quality = 85 });
        }

        return Task.FromResult(output.ToArray());
    }

    /// <summary>3x3 box blur plus a small shift that depends on the iteration, all in integers.</summary>
    internal static byte[] BlurStep(byte[] pixels, int width, int height, int iteration)
    {
        var result = new byte[pixels.Length];
        var shift = iteration % 3;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    int sum = 0, count = 0;
                    for (var dy = -1; dy <= 1; dy++)
                    {
                        var yy = y + dy;
                        if (yy < 0 || yy >= height) continue;
                        for (var dx = -1; dx <= 1; dx++)
                        {
                            var xx = x + dx;
                            if (xx < 0 || xx >= width) continue;
                            sum += pixels[((yy * width) + xx) * 3 + c];
                            count++;
                        }
                    }

                    result[((y * width) + x) * 3 + c] = (byte)Math.Min(255, (sum / count) + (c == shift ? 1 : 0));
                }
            }
        }

        return result;
    }

    private sealed record Settings(int Phases, int Iterations, int DelayMs)
    {
        public static Settings Parse(string json)
        {
            JsonElement root;
            try
            {
                root = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json).RootElement;
            }
            catch (JsonException e)
            {
                throw new InvalidArtworkInputException($"The parameters are not valid JSON: {e.Message}", "parameters", e);
            }

            return new Settings(Read(root, "phases", 2, 1, 8), Read(root, "iterations", 4, 1, 10000), Read(root, "delayMs", 0, 0, 60000));
        }

        private static int Read(JsonElement root, string name, int fallback, int min, int max)
        {
            if (!root.TryGetProperty(name, out var value))
            {
                return fallback;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
            {
                throw new InvalidArtworkInputException($"{name} must be a whole number from {min} to {max}.", name);
            }

            return number;
        }
    }

    private sealed record State(int Width, int Height, int Phases, int IterationsPerPhase, int DelayMs, int Phase, int PhaseIteration, byte[] Pixels)
    {
        public int CompletedIterations => ((Phase - 1) * IterationsPerPhase) + PhaseIteration;

        public EngineProgress Progress => new(
            Phase, Phases, PhaseIteration, IterationsPerPhase, CompletedIterations, Phases * IterationsPerPhase,
            Loss: Pixels.Length == 0 ? 0 : Pixels[0], IsComplete: Phase == Phases && PhaseIteration >= IterationsPerPhase, Width, Height);

        public byte[] Serialize()
        {
            var buffer = new byte[Magic.Length + (HeaderInts * sizeof(int)) + sizeof(int) + Pixels.Length];
            Magic.CopyTo(buffer, 0);
            var span = buffer.AsSpan(Magic.Length);
            int[] header = [Width, Height, Phases, IterationsPerPhase, Phase, PhaseIteration];
            for (var i = 0; i < header.Length; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(span[(i * 4)..], header[i]);
            }

            BinaryPrimitives.WriteInt32LittleEndian(span[(HeaderInts * 4)..], DelayMs);
            Pixels.CopyTo(span[((HeaderInts + 1) * 4)..]);
            return buffer;
        }

        public static State Deserialize(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length < Magic.Length + ((HeaderInts + 1) * 4) || !bytes[..Magic.Length].SequenceEqual(Magic))
            {
                throw new InvalidArtworkInputException("The state is not a BlurEngine state.", "state");
            }

            var span = bytes[Magic.Length..];
            var header = new int[HeaderInts + 1];
            for (var i = 0; i < header.Length; i++)
            {
                header[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]);
            }

            return new State(header[0], header[1], header[2], header[3], header[6], header[4], header[5], span[((HeaderInts + 1) * 4)..].ToArray());
        }
    }
}
