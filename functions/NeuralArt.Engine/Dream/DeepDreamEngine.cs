using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Jobs;
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
        var guideInput = inputs.Extras.Where(e => string.Equals(e.Role, GuideRole, StringComparison.OrdinalIgnoreCase)).ToList();
        var unknown = inputs.Extras.FirstOrDefault(e => !string.Equals(e.Role, GuideRole, StringComparison.OrdinalIgnoreCase));
        if (unknown is not null) throw new InvalidArtworkInputException($"A dream takes no '{unknown.Role}' image (only a '{GuideRole}').", unknown.Role);
        if (guideInput.Count > 1) throw new InvalidArtworkInputException("A dream takes at most one guide image.", GuideRole);
        var guided = guideInput.Count == 1;
        if (guided && settings.Channels is not null)
        {
            throw new InvalidArtworkInputException("Channels cannot be combined with a guide image (the guide chooses the features).", "channels");
        }

        var (manifest, taps) = Resolve(settings);
        // Compile (or find) the graphs now so that a bad tap or channel fails the job at once.
        GradientSession(manifest, taps, settings, guided);
        if (guided) FeaturesSession(manifest, taps);

        cancellationToken.ThrowIfCancellationRequested();
        using var content = Loader.Decode(inputs.Content, "content");
        FitWithin(content, settings.MaxSize);
        if (Math.Min(content.Width, content.Height) < DreamSettings.MinImageSide)
        {
            throw new InvalidArtworkInputException(
                $"The content image is {content.Width}x{content.Height}; each side must be at least {DreamSettings.MinImageSide} px.", "content");
        }

        byte[] guideBytes = [];
        int guideWidth = 0, guideHeight = 0;
        if (guided)
        {
            using var guide = Loader.Decode(guideInput[0].Bytes, GuideRole, $"the guide image '{guideInput[0].Name}'");
            FitWithin(guide, settings.GuideSize);
            (guideBytes, guideWidth, guideHeight) = (guide.ToRgbBytes(), guide.Width, guide.Height);
        }

        settings = settings with { Seed = settings.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue) };
        var source = content.ToRgbBytes();
        var sizes = OctavePlan.Sizes(content.Height, content.Width, settings.Octaves, settings.OctaveScale);
        var bases = OctavePlan.Bases(content.ToTensor(), sizes);
        var state = new DreamState
        {
            Settings = settings,
            SourceWidth = content.Width,
            SourceHeight = content.Height,
            Source = source,
            GuideWidth = guideWidth,
            GuideHeight = guideHeight,
            Guide = guideBytes,
            RandomState = (ulong)settings.Seed.Value,
            Image = bases[0].Clone(),
        };
        Logger.LogInformation("Dream started: {Width}x{Height}, {Octaves} octaves x {Iterations} iterations at {Layers}, seed {Seed}.",
            content.Width, content.Height, settings.Octaves, settings.Iterations, TapWeights.Format(taps), settings.Seed);
        return new EngineCheckpoint(state.Serialize(), state.Progress());
    }

    protected override EngineCheckpoint RunChunk(ReadOnlyMemory<byte> bytes, int maxIterations, IProgress<EngineProgress>? progress, CancellationToken cancellationToken)
    {
        var state = DreamState.Deserialize(bytes);
        if (state.IsComplete) return new EngineCheckpoint(bytes.ToArray(), state.Progress());

        var settings = state.Settings;
        var (manifest, taps) = Resolve(settings);
        using var runner = new GradientRunner(GradientSession(manifest, taps, settings, state.IsGuided));
        if (state.IsGuided) SetGuideFeatures(runner, manifest, taps, state, cancellationToken);

        var sizes = OctavePlan.Sizes(state.SourceHeight, state.SourceWidth, settings.Octaves, settings.OctaveScale);
        var random = new SplitMix64(state.RandomState);
        var steps = Math.Min(maxIterations, settings.Iterations - state.Iteration);
        void Stepped(double loss)
        {
            state.LastLoss = loss;
            state.Iteration++;
            state.CompletedIterations++;
            state.RandomState = random.State;
            progress?.Report(state.Progress());
        }
        var untiled = Tiling.Layout(state.Image.Height, state.Image.Width, settings.TileSize).Count == 1;
        var onDevice = Options.StepPlacement == StepPlacement.Device
            || (Options.StepPlacement == StepPlacement.Auto && runner.Session.Device == ExecutionDevice.Cuda);
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
        return new EngineCheckpoint(state.Serialize(), state.Progress());
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

    private void SetGuideFeatures(GradientRunner runner, BackboneManifest manifest, IReadOnlyList<TapWeight> taps, DreamState state, CancellationToken cancellationToken)
    {
        using var guide = ImageTensorConversions.FromRgbBytes(state.Guide, state.GuideWidth, state.GuideHeight);
        var features = new FeatureExtractor(FeaturesSession(manifest, taps)).Run(guide.ToTensor(), cancellationToken);
        foreach (var map in features)
        {
            runner.SetExtraInput(GraphNames.GuidePrefix + map.Name, map.Data, map.Shape);
        }
    }

    private (BackboneManifest Manifest, IReadOnlyList<TapWeight> Taps) Resolve(DreamSettings settings)
    {
        BackboneManifest manifest;
        try
        {
            manifest = Graphs.GetManifest(settings.Model ?? Options.Model);
        }
        catch (GraphCompilationException ex)
        {
            throw new InvalidArtworkInputException(ex.Message, "model", ex);
        }
        var taps = settings.Taps(manifest.Recommended.Dream);
        if (taps.Count == 0)
        {
            throw new InvalidArtworkInputException(
                $"Model '{manifest.Name}' recommends no dream layers; name some (known: {string.Join(", ", manifest.Taps.Keys)}).", "layers");
        }
        foreach (var tap in taps)
        {
            if (!manifest.Taps.ContainsKey(tap.Tap))
            {
                throw new InvalidArtworkInputException(
                    $"Model '{manifest.Name}' has no layer '{tap.Tap}'. Known layers: {string.Join(", ", manifest.Taps.Keys)}.", "layers");
            }
        }
        return (manifest, taps);
    }

    private OnnxSession GradientSession(BackboneManifest manifest, IReadOnlyList<TapWeight> taps, DreamSettings settings, bool guided)
    {
        Objective objective = guided ? new GuidedDreamObjective(taps) : new DreamObjective(taps, settings.Channels);
        return Session(manifest, objective, settings.Channels is null ? "layers" : "channels");
    }

    private OnnxSession FeaturesSession(BackboneManifest manifest, IReadOnlyList<TapWeight> taps) =>
        Session(manifest, new FeaturesObjective(taps.Select(t => t.Tap).ToList()), "layers");

    private OnnxSession Session(BackboneManifest manifest, Objective objective, string field)
    {
        CompiledGraph graph;
        try
        {
            graph = Graphs.GetGraph(manifest, objective);
        }
        catch (GraphCompilationException ex) when (ex.Message.Contains("channel", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("tap", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidArtworkInputException(ex.Message, field, ex);
        }
        return Sessions.Get(graph.Path);
    }
}
