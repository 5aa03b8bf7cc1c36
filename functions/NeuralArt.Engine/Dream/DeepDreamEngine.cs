using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Dream;

/// <summary>What a dream checkpoint holds, for progress displays and summaries.</summary>
public sealed record DreamStateInfo(
    DreamSettings Settings,
    int Width,
    int Height,
    IReadOnlyList<(int Height, int Width)> OctaveSizes,
    bool Guided);

/// <summary>
/// Multi-octave DeepDream (Mordvintsev et al., 2015) on compiled gradient graphs. The image is
/// dreamed at <see cref="DreamSettings.Octaves"/> sizes, smallest first; at each size it takes
/// <see cref="DreamSettings.Iterations"/> normalized gradient-ascent steps (see
/// <see cref="DreamStepper"/>); the detail it added (image minus that octave's base) is upscaled
/// and added to the next octave's base. Work runs in resumable chunks: every call deserializes the
/// state, runs, and serializes it again, and on the CPU a render cut into chunks gives the same
/// pixels as one run in one go.
/// </summary>
public sealed class DeepDreamEngine : ArtworkEngineBase
{
    /// <summary>Role of the optional guide image in <see cref="ArtworkInputs.Extras"/>.</summary>
    public const string GuideRole = "guide";

    public DeepDreamEngine(IGraphSource graphs, OnnxSessionPool sessions, ImageLoader loader, ILogger<DeepDreamEngine>? logger = null, EngineOptions? options = null)
        : base(graphs, sessions, loader, logger, options)
    {
    }

    public override string Kind => ArtworkKinds.Dream;

    /// <summary>Float tensors of the image a chunk holds per working pixel besides the octave bases (image, detail, jittered copy, gradient).</summary>
    private const int ImageCopiesPerStep = 4;

    public override EngineDescriptor Describe(EngineLimits limits) => new()
    {
        Kind = Kind,
        Title = "DeepDream",
        Description = "Amplifies what a network sees in a photo (Mordvintsev et al., 2015): gradient ascent on a layer's activations over several octaves.",
        Stage = "octave",
        Inputs =
        [
            new() { Role = EngineDescriptor.SourceRole, Min = 1, Max = 1, Help = "The photo to dream on." },
            new() { Role = GuideRole, Min = 0, Max = 1, Help = "Optional guide image: the dream amplifies the features it shares with the guide." },
        ],
        Parameters = DreamSchema.Describe(Graphs.Models, Options.Model, limits),
        Outputs = [OutputDescriptor.Result],
    };

    protected override JobPlan Plan(PlanRequest request, JsonObject values)
    {
        var settings = DreamSettings.FromJson(values.ToJsonString());
        settings = settings with { Model = settings.Model ?? Options.Model };
        var source = request.Inputs.Single(i => i.Role == EngineDescriptor.SourceRole);
        var guide = request.Inputs.SingleOrDefault(i => i.Role == GuideRole);
        var still = PlanStill(settings, source, guide, request.Limits);
        var effective = settings with
        {
            Layers = TapWeights.Format(still.Taps),
            Seed = PlanLimits.SeedOr(settings.Seed),
        };
        return new JobPlan
        {
            ParametersJson = effective.ToJson(),
            Model = still.Manifest.Name,
            Stages = PlanLimits.Stages(still.OctaveSizes, settings.Iterations),
            Cost = new JobCost
            {
                Iterations = still.Iterations,
                PixelIterations = still.PixelIterations,
                MultiplyAdds = still.MultiplyAdds,
                PeakMemoryBytes = still.PeakMemoryBytes,
                CheckpointBytes = still.CheckpointBytes,
                WorkingPixels = (long)still.Width * still.Height,
            },
        };
    }

    /// <summary>
    /// The plan of one dream (a still, or one frame of a sequence) from headers alone: model and
    /// taps resolved, channels checked against the network, working size, the still's iterations,
    /// working image and checkpoint checked against the host's caps, and its cost.
    /// </summary>
    internal DreamStillPlan PlanStill(DreamSettings settings, InputHeader source, InputHeader? guide, EngineLimits limits)
    {
        var (manifest, parameters) = Resolve(settings);
        var taps = parameters.Taps;
        if (guide is not null && settings.Channels is not null)
        {
            throw new InvalidArtworkInputException("Channels cannot be combined with a guide image (the guide chooses the features).", DreamSchema.Channels);
        }

        var cost = Graphs.GetCost(manifest, taps.Select(t => t.Tap).ToList());
        if (settings.Channels is { } channels)
        {
            foreach (var tap in taps)
            {
                if (cost.TapChannels(tap.Tap) is { } count && channels.FirstOrDefault(c => c >= count, -1) is var bad and >= 0)
                {
                    throw new InvalidArtworkInputException($"Channel {bad} is out of range: layer '{tap.Tap}' has {count} channels (0..{count - 1}).", DreamSchema.Channels);
                }
            }
        }

        var (width, height) = PlanSizes.FitWithin(source.Width, source.Height, settings.MaxSize);
        if (Math.Min(width, height) < DreamSettings.MinImageSide)
        {
            throw new InvalidArtworkInputException(
                $"The source image is {width}x{height} after scaling; each side must be at least {DreamSettings.MinImageSide} px.", EngineDescriptor.SourceRole);
        }

        var total = (long)settings.Octaves * settings.Iterations;
        PlanLimits.Iterations(total, limits, $"{settings.Octaves} octaves x {settings.Iterations} iterations", DreamSchema.Iterations);
        PlanLimits.WorkingImage(width, height, limits, DreamSchema.MaxSize);
        var working = (long)width * height;

        var (guideWidth, guideHeight) = guide is null ? (0, 0) : PlanSizes.FitWithin(guide.Width, guide.Height, settings.GuideSize);
        var checkpoint = PlanLimits.CheckpointOverheadBytes + (long)ImageTensor.Channels * working /* source RGB */
            + (long)ImageTensor.Channels * sizeof(float) * working /* image */ + (long)ImageTensor.Channels * guideWidth * guideHeight;
        PlanLimits.Checkpoint(checkpoint, limits, DreamSchema.MaxSize);

        var sizes = OctavePlan.Sizes(height, width, settings.Octaves, settings.OctaveScale);
        long pixelIterations = 0, macs = 0, peakActivations = 0, octavePixels = 0;
        foreach (var (h, w) in sizes)
        {
            pixelIterations += (long)h * w * settings.Iterations;
            macs += cost.GradientStepMacs(h, w) * settings.Iterations;
            octavePixels += (long)h * w;
            peakActivations = Math.Max(peakActivations, cost.ActivationValues(Math.Min(h, settings.TileSize), Math.Min(w, settings.TileSize)));
        }

        var imageFloats = (long)ImageTensor.Channels * (octavePixels + ImageCopiesPerStep * working);
        var peak = checkpoint + sizeof(float) * (imageFloats + PlanLimits.ActivationCopiesPerStep * peakActivations);
        return new DreamStillPlan(manifest, taps, width, height, sizes, total, pixelIterations, macs, checkpoint, peak);
    }

    protected override Image<Rgb24> RenderImage(ReadOnlyMemory<byte> state) => DreamState.Deserialize(state).Image.ToImage();

    /// <summary>Reads a checkpoint's settings, sizes and octave plan.</summary>
    public DreamStateInfo Inspect(ReadOnlyMemory<byte> state)
    {
        var dream = DreamState.Deserialize(state);
        var s = dream.Settings;
        return new DreamStateInfo(s, dream.SourceWidth, dream.SourceHeight,
            OctavePlan.Sizes(dream.SourceHeight, dream.SourceWidth, s.Octaves, s.OctaveScale), dream.IsGuided);
    }

    protected override EngineCheckpoint Start(ArtworkInputs inputs, CancellationToken cancellationToken)
    {
        var settings = DreamSettings.FromJson(inputs.ParametersJson);
        settings = settings with { Model = settings.Model ?? Options.Model };
        var guideInput = inputs.Extras.Where(e => e.Role == GuideRole).ToList();
        var guided = guideInput.Count == 1;
        if (guided && settings.Channels is not null)
        {
            throw new InvalidArtworkInputException("Channels cannot be combined with a guide image (the guide chooses the features).", DreamSchema.Channels);
        }

        var (manifest, parameters) = Resolve(settings);
        PrepareGraphs(manifest, parameters, guided);

        cancellationToken.ThrowIfCancellationRequested();
        using var source = LoadSource(inputs.Source, settings.MaxSize);

        byte[] guideBytes = [];
        int guideWidth = 0, guideHeight = 0;
        if (guided)
        {
            using var guide = Loader.Decode(guideInput[0].Bytes, GuideRole, $"the guide image '{guideInput[0].Name}'");
            FitWithin(guide, settings.GuideSize);
            (guideBytes, guideWidth, guideHeight) = (guide.ToRgbBytes(), guide.Width, guide.Height);
        }

        settings = settings with { Seed = PlanLimits.SeedOr(settings.Seed) };
        var state = NewState(source, settings, guideBytes, guideWidth, guideHeight);
        Logger.LogInformation("Dream started: {Width}x{Height}, {Octaves} octaves x {Iterations} iterations at {Layers}, seed {Seed}.",
            source.Width, source.Height, settings.Octaves, settings.Iterations, TapWeights.Format(parameters.Taps), settings.Seed);
        return new EngineCheckpoint(state.Serialize(), state.Progress());
    }

    /// <summary>Compiles (or finds) the dream's graphs now, so that a bad tap or channel fails the job at once.</summary>
    internal void PrepareGraphs(BackboneManifest manifest, DreamParameters parameters, bool guided)
    {
        using (var gradient = OpenRunner(GradientGraph(manifest, parameters, guided)))
        {
            Inputs(gradient.Runner, parameters, guided);
        }
        if (guided) FeaturesSession(manifest, parameters).Dispose();
    }

    /// <summary>Decodes the source photo and scales it down to <paramref name="maxSize"/>; refuses one too small to dream on.</summary>
    internal Image<Rgb24> LoadSource(ReadOnlyMemory<byte> bytes, int maxSize)
    {
        var source = Loader.Decode(bytes, EngineDescriptor.SourceRole);
        FitWithin(source, maxSize);
        if (Math.Min(source.Width, source.Height) < DreamSettings.MinImageSide)
        {
            var (width, height) = (source.Width, source.Height);
            source.Dispose();
            throw new InvalidArtworkInputException(
                $"The source image is {width}x{height}; each side must be at least {DreamSettings.MinImageSide} px.", EngineDescriptor.SourceRole);
        }
        return source;
    }

    /// <summary>
    /// A dream's initial state on <paramref name="source"/> (already at its working size), with
    /// <paramref name="settings"/> whose seed is set: the smallest octave's base, nothing done yet.
    /// </summary>
    internal static DreamState NewState(Image<Rgb24> source, DreamSettings settings, byte[]? guide = null, int guideWidth = 0, int guideHeight = 0)
    {
        var seed = settings.Seed ?? throw new ArgumentException("The dream's seed must be drawn before it starts.", nameof(settings));
        var sizes = OctavePlan.Sizes(source.Height, source.Width, settings.Octaves, settings.OctaveScale);
        var bases = OctavePlan.Bases(source.ToTensor(), sizes);
        return new DreamState
        {
            Settings = settings,
            SourceWidth = source.Width,
            SourceHeight = source.Height,
            Source = source.ToRgbBytes(),
            GuideWidth = guideWidth,
            GuideHeight = guideHeight,
            Guide = guide ?? [],
            RandomState = (ulong)seed,
            Image = bases[0].Clone(),
        };
    }

    protected override ChunkRun RunChunk(ReadOnlyMemory<byte> bytes, int maxIterations, IProgress<EngineProgress>? progress, CancellationToken cancellationToken)
    {
        var state = DreamState.Deserialize(bytes);
        if (state.IsComplete) return new ChunkRun(new EngineCheckpoint(bytes.ToArray(), state.Progress()), () => state.Image.ToImage(), state.Settings.ToJson());
        Advance(state, maxIterations, s => progress?.Report(s.Progress()), cancellationToken);
        return new ChunkRun(new EngineCheckpoint(state.Serialize(), state.Progress()), () => state.Image.ToImage(), state.Settings.ToJson());
    }

    /// <summary>
    /// Runs at most <paramref name="maxIterations"/> steps of <paramref name="state"/>'s current
    /// octave (never past its end), calling <paramref name="stepped"/> after each; when the octave's
    /// last step is done, carries its detail into the next octave (or marks the dream complete).
    /// On the CPU, the same steps in one call or in several give the same pixels.
    /// </summary>
    internal void Advance(DreamState state, int maxIterations, Action<DreamState>? stepped, CancellationToken cancellationToken)
    {
        var settings = state.Settings;
        var (manifest, parameters) = Resolve(settings);
        using var gradient = OpenRunner(GradientGraph(manifest, parameters, state.IsGuided));
        var runner = gradient.Runner;
        // Weights and channel masks are graph inputs: set once, bound for every step of the chunk.
        foreach (var input in Inputs(runner, parameters, state.IsGuided)) runner.SetExtraInput(input.Name, input.Values, input.Shape);
        if (state.IsGuided) SetGuideFeatures(runner, manifest, parameters, state, cancellationToken);

        var sizes = OctavePlan.Sizes(state.SourceHeight, state.SourceWidth, settings.Octaves, settings.OctaveScale);
        var random = new SplitMix64(state.RandomState);
        var steps = Math.Min(maxIterations, settings.Iterations - state.Iteration);
        void Stepped(double loss)
        {
            state.LastLoss = loss;
            state.Iteration++;
            state.CompletedIterations++;
            state.RandomState = random.State;
            stepped?.Invoke(state);
        }
        var untiled = Tiling.Layout(state.Image.Height, state.Image.Width, settings.TileSize).Count == 1;
        var onDevice = Options.StepPlacement == StepPlacement.Device
            || (Options.StepPlacement == StepPlacement.Auto && runner.Device == ExecutionDevice.Cuda);
        using var device = untiled && onDevice ? TryDeviceStepper(runner, settings, state.Image) : null;
        if (device is not null)
        {
            device.Run(state.Image, steps, ref random, Stepped, cancellationToken);
        }
        else
        {
            var stepper = new DreamStepper(runner, settings);
            for (var done = 0; done < steps; done++) Stepped(stepper.Step(state.Image, ref random, cancellationToken));
        }
        if (state.Iteration == settings.Iterations) EndOctave(state, sizes);
    }

    /// <summary>
    /// The device-resident stepper with its buffers allocated, or null (host steps) when
    /// <see cref="StepPlacement.Auto"/> finds the device memory unusable; nothing has run yet, so
    /// falling back changes nothing but where the arithmetic happens.
    /// </summary>
    private DeviceDreamStepper? TryDeviceStepper(GradientRunner runner, DreamSettings settings, ImageTensor image)
    {
        DeviceDreamStepper? stepper = null;
        try
        {
            stepper = new DeviceDreamStepper(runner, Sessions, settings);
            stepper.Prepare(image.Height, image.Width);
            return stepper;
        }
        catch (OnnxRuntimeException ex) when (Options.StepPlacement == StepPlacement.Auto)
        {
            stepper?.Dispose();
            if (Interlocked.Exchange(ref _deviceFallbackLogged, 1) == 0)
            {
                Logger.LogWarning("Device-resident dream steps are unavailable ({Reason}); steps run on the host.", ex.Message.Split('\n', 2)[0]);
            }
            return null;
        }
    }

    private int _deviceFallbackLogged;

    /// <summary>
    /// Carries the detail dreamed at this octave into the next one (Google's notebook: the detail is
    /// <c>image - base</c>, zoomed to the next size and added to that octave's base), or finishes.
    /// </summary>
    private static void EndOctave(DreamState state, IReadOnlyList<(int Height, int Width)> sizes)
    {
        if (state.Octave + 1 >= sizes.Count)
        {
            state.IsComplete = true;
            return;
        }
        using var source = ImageTensorConversions.FromRgbBytes(state.Source, state.SourceWidth, state.SourceHeight);
        var bases = OctavePlan.Bases(source.ToTensor(), sizes);
        var detail = TensorOps.Subtract(state.Image, bases[state.Octave]);
        var next = sizes[state.Octave + 1];
        var image = TensorOps.Add(bases[state.Octave + 1], Resize.Bilinear(detail, next.Height, next.Width));
        TensorOps.Clamp(image, 0f, 1f);
        state.Image = image;
        state.Octave++;
        state.Iteration = 0;
    }

    private void SetGuideFeatures(GradientRunner runner, BackboneManifest manifest, DreamParameters parameters, DreamState state, CancellationToken cancellationToken)
    {
        using var guide = ImageTensorConversions.FromRgbBytes(state.Guide, state.GuideWidth, state.GuideHeight);
        using var features = FeaturesSession(manifest, parameters);
        var maps = new FeatureExtractor(features.Session).Run(guide.ToTensor(), cancellationToken);
        foreach (var map in maps)
        {
            runner.SetExtraInput(GraphNames.GuidePrefix + map.Name, map.Data, map.Shape);
        }
    }

    internal (BackboneManifest Manifest, DreamParameters Parameters) Resolve(DreamSettings settings)
    {
        var manifest = ResolveModel(settings.Model);
        var taps = settings.Taps(manifest.Recommended.Dream);
        if (taps.Count == 0)
        {
            throw new InvalidArtworkInputException($"Model '{manifest.Name}' recommends no dream layers; name them, for example '{manifest.Taps.Keys.Last()}'.", DreamSchema.Layers);
        }
        foreach (var tap in taps)
        {
            if (!manifest.Taps.ContainsKey(tap.Tap))
            {
                throw new InvalidArtworkInputException(
                    $"Model '{manifest.Name}' has no layer '{ParameterSchema.Printable(tap.Tap)}'. Known layers: {string.Join(", ", manifest.Taps.Keys)}.", DreamSchema.Layers);
            }
        }
        return (manifest, new DreamParameters(taps, settings.Channels));
    }

    /// <summary>
    /// A runner of a gradient graph with the leases that keep its sessions alive (even if the pool
    /// evicts them) until it is disposed. On CPU sessions with the managed pool, the split graph alone:
    /// host steps never run the one graph, so it is not opened (about 110 ms for ResNet-18). Device-
    /// resident steps (<see cref="StepPlacement.Device"/>) run the one graph on caller-owned tensors,
    /// so there, and where the graph does not split, the one graph is opened (with the split beside it
    /// for tiled host steps).
    /// </summary>
    private LeasedRunner OpenRunner(CompiledGraph graph)
    {
        var leases = new List<IDisposable>();
        try
        {
            var split = PoolSplitSessions.TryRent(Graphs, Sessions, graph, Options.PoolPlacement);
            if (split is not null) leases.Add(split);
            if (split is not null && Options.StepPlacement != StepPlacement.Device)
            {
                return new LeasedRunner(new GradientRunner(split), leases);
            }
            var lease = Sessions.Rent(graph.Path);
            leases.Add(lease);
            return new LeasedRunner(new GradientRunner(lease.Session, split: split), leases);
        }
        catch
        {
            foreach (var lease in leases) lease.Dispose();
            throw;
        }
    }

    /// <summary>A runner and its sessions' leases, released after it.</summary>
    private sealed class LeasedRunner(GradientRunner runner, IReadOnlyList<IDisposable> leases) : IDisposable
    {
        public GradientRunner Runner { get; } = runner;

        public void Dispose()
        {
            Runner.Dispose();
            foreach (var lease in leases) lease.Dispose();
        }
    }

    /// <summary>
    /// The gradient graph of the dream's set of taps: one graph whatever the weights and channels,
    /// which are fed as inputs (<see cref="DreamGraphInputs"/>).
    /// </summary>
    private CompiledGraph GradientGraph(BackboneManifest manifest, DreamParameters parameters, bool guided) =>
        Graph(manifest, guided ? parameters.GuidedObjective() : parameters.Objective(), "layers");

    private OnnxSessionLease FeaturesSession(BackboneManifest manifest, DreamParameters parameters) =>
        Session(manifest, new FeaturesObjective(parameters.Taps.Select(t => t.Tap).ToList()), "layers");

    /// <summary>The weight and channel-mask inputs, checked against the graph (channel ranges come from its mask inputs).</summary>
    private static IReadOnlyList<GraphInput> Inputs(GradientRunner runner, DreamParameters parameters, bool guided)
    {
        try
        {
            return DreamGraphInputs.For(runner.InputDimensions, parameters, guided);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidArtworkInputException(ex.Message, parameters.Channels is { Count: > 0 } ? "channels" : "layers", ex);
        }
    }

    private OnnxSessionLease Session(BackboneManifest manifest, Objective objective, string field) =>
        Sessions.Rent(Graph(manifest, objective, field).Path);

    private CompiledGraph Graph(BackboneManifest manifest, Objective objective, string field)
    {
        try
        {
            return Graphs.GetGraph(manifest, objective);
        }
        catch (GraphCompilationException ex) when (ex.Message.Contains("tap", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidArtworkInputException(ex.Message, field, ex);
        }
    }
}
