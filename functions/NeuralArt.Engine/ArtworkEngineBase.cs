using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Text.Json.Nodes;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Manifests;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine;

/// <summary>
/// What the DeepDream, style and zoom engines share: their dependencies, the async surface of
/// <see cref="IArtworkEngine"/> (the work is CPU- or GPU-bound, so each call runs on the thread
/// pool), and rendering with an optional size cap. Subclasses implement the synchronous
/// <see cref="Start"/>, <see cref="RunChunk"/> and <see cref="RenderImage"/>; a sequence engine also overrides <see cref="FinishAsync"/>.
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

    /// <summary>
    /// Checks the request against the descriptor (<see cref="DescriptorCheck"/>, as the door does),
    /// then lets the engine plan from the checked parameters.
    /// </summary>
    public JobPlan Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = DescriptorCheck.Check(Describe(request.Limits), request.Inputs.Select(i => i.Role), request.ParametersJson);
        return Plan(request, parameters);
    }

    /// <summary>Plans a request whose roles and parameters passed the descriptor check; checks only rules that tie fields together.</summary>
    protected abstract JobPlan Plan(PlanRequest request, JsonObject parameters);

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
        // The same check as the door and the plan, for callers that come without either (the CLI),
        // against the engine's own ranges: the host's caps, which may be above the defaults, are the door's.
        var descriptor = Describe(EngineLimits.Unbounded);
        DescriptorCheck.Check(descriptor, inputs.Extras.Select(e => e.Role).Prepend(descriptor.PrimaryRole), inputs.ParametersJson);
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

            return run.Checkpoint with { SettingsJson = run.SettingsJson, Preview = preview, Frames = run.Frames };
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

    /// <summary>A still's final file: the current image as <see cref="OutputDescriptor.Result"/>.</summary>
    public virtual async Task FinishAsync(ReadOnlyMemory<byte> state, IEngineOutputs outputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var png = await RenderAsync(state, RenderFormat.Png, maxSide: null, cancellationToken).ConfigureAwait(false);
        await outputs.WriteAsync(OutputDescriptor.Result.File!, png, ContentTypes.Png, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Scales down (never up) so the longer side is at most <paramref name="maxSide"/>.</summary>
    protected internal static void FitWithin(Image<Rgb24> image, int maxSide)
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

    /// <summary>
    /// What a chunk leaves: the new checkpoint, the current image from the state in memory (made on
    /// demand, for the preview), the effective settings, and the frames of a sequence it finished.
    /// </summary>
    protected sealed record ChunkRun(EngineCheckpoint Checkpoint, Func<Image<Rgb24>> Current, string SettingsJson)
    {
        public IReadOnlyList<EngineFrame> Frames { get; init; } = [];
    }

    /// <summary>The current image of a serialized state.</summary>
    protected abstract Image<Rgb24> RenderImage(ReadOnlyMemory<byte> state);
}
