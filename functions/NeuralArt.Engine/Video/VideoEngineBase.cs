using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Video;

/// <summary>
/// What the video engines share: a still engine makes each frame (its descriptor, its plan and its
/// resumable state are reused; nothing of it is copied), the clip is probed and decoded once at the
/// start, chunks stop at the end of a frame at the latest and hand the finished frame over as PNG,
/// the next frame is started from the finished one through the optical flow of the source frames
/// (see <see cref="VideoState"/> for what the checkpoint keeps), and the end makes the GIF preview
/// and the MP4 (<see cref="VideoOutputs"/>). A subclass says how a frame starts, runs and carries on.
/// </summary>
public abstract class VideoEngineBase : ArtworkEngineBase
{
    private readonly VideoClip _clip;

    protected VideoEngineBase(IGraphSource graphs, OnnxSessionPool sessions, ImageLoader loader, ILogger? logger, EngineOptions? options)
        : base(graphs, sessions, loader, logger, options)
    {
        _clip = new VideoClip(Options, Logger);
    }

    /// <summary>The engine that makes one frame.</summary>
    private protected abstract ArtworkEngineBase Still { get; }

    /// <summary>The still's parameters the video sets for each frame (left out of the video's table).</summary>
    private protected abstract IReadOnlyList<string> PerFrame { get; }

    /// <summary>The still's input roles a video does not take.</summary>
    private protected abstract IReadOnlyList<string> DroppedRoles { get; }

    private protected abstract VideoDefaults Defaults { get; }

    private protected abstract (string Title, string Description) Text { get; }

    /// <summary>The still's parameters of a frame with <paramref name="iterations"/> at the working size of <paramref name="clip"/>.</summary>
    private protected abstract JsonObject FrameParameters(VideoSettings settings, int iterations, VideoPlanning.Clip clip);

    /// <summary>Frame 0's still state from <paramref name="inputs"/> (the first frame as the source, the job's other inputs).</summary>
    private protected abstract byte[] StartFrame(ArtworkInputs inputs, string frameParameters, CancellationToken cancellationToken);

    /// <summary>Runs at most <paramref name="budget"/> iterations of the current frame; returns its new state.</summary>
    private protected abstract byte[] AdvanceFrame(VideoState video, VideoSettings settings, int budget, Action<FrameStatus>? stepped, CancellationToken cancellationToken);

    /// <summary>Where a frame's still state stands.</summary>
    private protected abstract FrameStatus Status(byte[] inner);

    /// <summary>The picture of a frame's still state (the finished frame once complete).</summary>
    private protected abstract Image<Rgb24> Render(byte[] inner);

    /// <summary>
    /// The next frame's still state, from the finished frame <paramref name="finished"/> (the frame's
    /// result as saved) and the clip's source frames (<paramref name="video"/>'s current and next).
    /// </summary>
    private protected abstract byte[] NextFrame(VideoState video, VideoSettings settings, ImageTensor finished, string frameParameters);

    /// <summary>The gradient steps of a frame made with <paramref name="iterations"/> (the video's iteration parameters).</summary>
    private protected virtual int FrameSteps(VideoSettings settings, int iterations) => iterations;

    /// <summary>A frame's progress: iteration, completion, loss (and the style part, where the still has one).</summary>
    private protected readonly record struct FrameStatus(int Iteration, bool IsComplete, double Loss, double FrameLoss);

    public override EngineDescriptor Describe(EngineLimits limits)
    {
        var still = Still.Describe(limits);
        return new EngineDescriptor
        {
            Kind = Kind,
            Title = Text.Title,
            Description = Text.Description,
            Stage = "frame",
            // The still's photo becomes the clip (first, so it is the primary role); the other inputs are the still's.
            Inputs = [.. still.Inputs.Where(r => !DroppedRoles.Contains(r.Role, StringComparer.Ordinal)).Select(r => r.Role == EngineDescriptor.SourceRole
                ? r with { Role = VideoClip.Role, Help = "The video clip (MP4, WebM, MOV or animated GIF).", Accept = VideoClip.Accepted }
                : r)],
            Parameters = VideoSchema.Describe(still.Parameters.Where(p => !PerFrame.Contains(p.Name, StringComparer.Ordinal)), limits, Defaults),
            Outputs = VideoOutputs.Describe(),
        };
    }

    protected override JobPlan Plan(PlanRequest request, JsonObject parameters)
    {
        var limits = request.Limits;
        var settings = VideoSettings.From(parameters, Describe(limits).Parameters);
        var source = request.Inputs.Single(i => i.Role == VideoClip.Role);
        var clip = VideoPlanning.Check(source, settings, limits);

        // Each frame is the still engine's plan at the working size; the first and the later frames differ in iterations only.
        var frameSource = source with { Role = EngineDescriptor.SourceRole, Width = clip.Width, Height = clip.Height, Frames = null, Seconds = null };
        PlanRequest Frame(int iterations) => new(FrameParameters(settings, iterations, clip).ToJsonString(),
            [.. request.Inputs.Select(i => i.Role == VideoClip.Role ? frameSource : i)], limits);
        var first = Still.Plan(Frame(settings.FirstFrameIterations));
        var later = Still.Plan(Frame(settings.Iterations));
        var effective = JsonNode.Parse(first.ParametersJson)!.AsObject();
        foreach (var name in PerFrame) effective.Remove(name);
        return VideoPlanning.Combine(first, later, clip, (settings with { Still = effective }).ToJson(), limits, VideoSchema.Iterations);
    }

    private VideoSettings Settings(string json) => VideoSettings.FromJson(json, Describe(EngineLimits.Unbounded).Parameters);

    protected override EngineCheckpoint Start(ArtworkInputs inputs, CancellationToken cancellationToken)
    {
        var settings = Settings(inputs.ParametersJson);
        // The job's seed, drawn once (unless given), is kept in the still's parameters for every frame.
        settings = settings with { Still = settings.Still.DeepClone().AsObject() };
        settings.Still["seed"] ??= PlanLimits.SeedOr(null);
        var header = _clip.ProbeAsync(inputs.Source, cancellationToken).GetAwaiter().GetResult();
        var clip = VideoPlanning.Check(header, settings, EngineLimits.Unbounded);
        var (frames, audio) = _clip.DecodeAsync(inputs.Source, settings.Fps, clip.Frames, clip.Width, clip.Height, cancellationToken).GetAwaiter().GetResult();

        using var first = ImageTensorConversions.FromRgbBytes(frames[0], clip.Width, clip.Height);
        var frameInputs = inputs with { Source = ImageWriter.Encode(first, RenderFormat.Png) };
        var inner = StartFrame(frameInputs, FrameParameters(settings, settings.FirstFrameIterations, clip).ToJsonString(), cancellationToken);
        var video = new VideoState
        {
            SettingsJson = settings.ToJson(),
            Fps = clip.Fps,
            Width = clip.Width,
            Height = clip.Height,
            Sources = frames,
            Audio = audio ?? [],
            Inner = inner,
        };
        Logger.LogInformation("{Kind} started: {Frames} frames of {Width}x{Height} at {Fps:0.##} fps, coherence {Coherence}, {First}/{Later} iterations.",
            Kind, frames.Count, clip.Width, clip.Height, clip.Fps, settings.Coherence, settings.FirstFrameIterations, settings.Iterations);
        return new EngineCheckpoint(video.Serialize(), Progress(video, settings, Status(inner)));
    }

    protected override ChunkRun RunChunk(ReadOnlyMemory<byte> bytes, int maxIterations, IProgress<EngineProgress>? progress, CancellationToken cancellationToken)
    {
        var video = VideoState.Deserialize(bytes);
        var settings = Settings(video.SettingsJson);
        var status = Status(video.Inner);
        if (!status.IsComplete)
        {
            video.Inner = AdvanceFrame(video, settings, maxIterations, progress is null ? null : s => progress.Report(Progress(video, settings, s)), cancellationToken);
            status = Status(video.Inner);
        }
        var inner = video.Inner;
        if (!status.IsComplete || video.Frame == video.FrameCount - 1 && video.FrameLosses.Count == video.FrameCount)
        {
            return new ChunkRun(new EngineCheckpoint(video.Serialize(), Progress(video, settings, status)), () => Render(inner), settings.ToJson());
        }

        // The frame is done: hand it over as saved and, unless it was the last, start the next from it.
        video.FrameLosses.Add(status.FrameLoss);
        using var image = Render(inner);
        EngineFrame[] finished = [new(video.Frame, ImageWriter.Encode(image, RenderFormat.Png))];
        if (video.Frame < video.FrameCount - 1)
        {
            var clip = new VideoPlanning.Clip(video.FrameCount, video.Width, video.Height, video.Fps);
            var next = video.Frame + 1;
            video.Inner = NextFrame(video, settings, image.ToTensor(), FrameParameters(settings, settings.FrameIterations(next), clip).ToJsonString());
            video.Frame = next;
            Logger.LogDebug("{Kind} frame {Frame} of {Frames} done.", Kind, next, video.FrameCount);
        }
        var current = video.Inner;
        return new ChunkRun(new EngineCheckpoint(video.Serialize(), Progress(video, settings, Status(current))), () => Render(current), settings.ToJson()) { Frames = finished };
    }

    private EngineProgress Progress(VideoState video, VideoSettings settings, FrameStatus frame)
    {
        var first = FrameSteps(settings, settings.FirstFrameIterations);
        var later = FrameSteps(settings, settings.Iterations);
        var steps = video.Frame == 0 ? first : later;
        var total = first + (long)(video.FrameCount - 1) * later;
        var before = video.Frame == 0 ? 0 : first + (long)(video.Frame - 1) * later;
        var done = frame.IsComplete ? steps : frame.Iteration;
        return new EngineProgress(
            Phase: video.Frame + 1,
            PhaseCount: video.FrameCount,
            PhaseIteration: done,
            PhaseIterations: steps,
            CompletedIterations: (int)(before + done),
            TotalIterations: (int)total,
            Loss: frame.Loss,
            IsComplete: frame.IsComplete && video.Frame == video.FrameCount - 1,
            Width: video.Width,
            Height: video.Height);
    }

    protected override Image<Rgb24> RenderImage(ReadOnlyMemory<byte> state) => Render(VideoState.Deserialize(state).Inner);

    public override Task FinishAsync(ReadOnlyMemory<byte> state, IEngineOutputs outputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var video = VideoState.Deserialize(state);
        if (video.FrameLosses.Count != video.FrameCount) throw new InvalidOperationException($"The video is at frame {video.Frame + 1} of {video.FrameCount}; finish it first.");
        return VideoOutputs.FinishAsync(video, outputs, Options, Logger, cancellationToken);
    }

    /// <summary>The loss each finished frame ended with (the style engine: its style part), for measurements.</summary>
    public static IReadOnlyList<double> FrameLosses(ReadOnlyMemory<byte> state) => VideoState.Deserialize(state).FrameLosses;
}
