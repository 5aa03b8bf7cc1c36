using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Manifests;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Jobs;

/// <summary>
/// What the DeepDream and style engines share: their dependencies, the async surface of
/// <see cref="IArtworkEngine"/> (the work is CPU- or GPU-bound, so each call runs on the thread
/// pool), and rendering with an optional size cap. Subclasses implement the synchronous
/// <see cref="Start"/>, <see cref="RunChunk"/> and <see cref="RenderImage"/>.
/// </summary>
public abstract class ArtworkEngineBase : IArtworkEngine
{
    protected ArtworkEngineBase(IGraphSource graphs, OnnxSessionPool sessions, ImageLoader loader, ILogger? logger, EngineOptions? options)
    {
        Options = options ?? new EngineOptions();
        Graphs = graphs ?? throw new ArgumentNullException(nameof(graphs));
        Sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
        Loader = loader ?? throw new ArgumentNullException(nameof(loader));
        Logger = logger ?? NullLogger.Instance;
    }

    protected IGraphSource Graphs { get; }
    protected OnnxSessionPool Sessions { get; }
    protected ImageLoader Loader { get; }
    protected ILogger Logger { get; }
    protected EngineOptions Options { get; }

    public abstract string Kind { get; }

    public abstract EngineDescriptor Describe(EngineLimits limits);

    public abstract JobPlan Plan(PlanRequest request);

    /// <summary>The manifest of a catalog model (names only: a name outside the catalog is refused before any file is touched).</summary>
    protected BackboneManifest ResolveModel(string? name) => Graphs.ResolveModel(name ?? Options.Model);

    /// <inheritdoc />
    public EngineRuntime Runtime => new(Options.Model, Sessions.Device?.ToString(), new Dictionary<string, string>
    {
        ["compiler"] = NeuralArt.Graphs.Compilation.ModelCompiler.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["onnxRuntime"] = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString(),
    });

    public Task<EngineCheckpoint> StartAsync(ArtworkInputs inputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Task.Run(() => Start(inputs, cancellationToken), cancellationToken);
    }

    public Task<EngineCheckpoint> RunChunkAsync(
        ReadOnlyMemory<byte> state,
        int maxIterations,
        IProgress<EngineProgress>? progress = null,
        int? previewMaxSide = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        return Task.Run(() =>
        {
            var run = RunChunk(state, maxIterations, progress, cancellationToken);
            byte[]? preview = null;
            if (previewMaxSide is { } side)
            {
                using var image = run.Current();
                FitWithin(image, side);
                preview = ImageWriter.Encode(image, RenderFormat.Jpeg);
            }

            return run.Checkpoint with { SettingsJson = run.SettingsJson, Preview = preview };
        }, cancellationToken);
    }

    public Task<byte[]> RenderAsync(ReadOnlyMemory<byte> state, RenderFormat format, int? maxSide = null, CancellationToken cancellationToken = default)
    {
        return Task.Run(() =>
        {
            using var image = RenderImage(state);
            if (maxSide is { } limit) FitWithin(image, limit);
            return ImageWriter.Encode(image, format);
        }, cancellationToken);
    }

    /// <summary>Scales down (never up) so the longer side is at most <paramref name="maxSide"/>.</summary>
    protected static void FitWithin(Image<Rgb24> image, int maxSide)
    {
        if (Math.Max(image.Width, image.Height) <= maxSide) return;
        image.Mutate(x => x.Resize(new ResizeOptions
        {
            Size = new Size(maxSide, maxSide),
            Mode = ResizeMode.Max,
            Sampler = KnownResamplers.Lanczos3,
        }));
    }

    /// <summary>Checks inputs and parameters and builds the initial state.</summary>
    protected abstract EngineCheckpoint Start(ArtworkInputs inputs, CancellationToken cancellationToken);

    /// <summary>Resumes from serialized state and runs at most <paramref name="maxIterations"/> iterations.</summary>
    protected abstract ChunkRun RunChunk(ReadOnlyMemory<byte> state, int maxIterations, IProgress<EngineProgress>? progress, CancellationToken cancellationToken);

    /// <summary>What a chunk leaves: the new checkpoint, the current image from the state in memory (made on demand), the effective settings.</summary>
    protected sealed record ChunkRun(EngineCheckpoint Checkpoint, Func<Image<Rgb24>> Current, string SettingsJson);

    /// <summary>The current image of a serialized state.</summary>
    protected abstract Image<Rgb24> RenderImage(ReadOnlyMemory<byte> state);
}
