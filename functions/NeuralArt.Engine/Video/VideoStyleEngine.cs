using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Video;

/// <summary>
/// Style transfer of a video clip without flicker (Ruder, Dosovitskiy and Brox, 2016). Each frame is
/// <see cref="NeuralStyleEngine"/>'s own transfer (same compiled graphs, same optimizer code, one
/// scale at the working size); from the second frame on it starts from the previous result warped
/// by the optical flow between the two source frames, and, with <c>coherence: flow</c>, adds the
/// temporal loss <see cref="TemporalTerm"/> wherever the consistency mask trusts the flow. Chunks
/// stop at the end of a frame at the latest and hand the finished frame over as PNG.
/// </summary>
public sealed class VideoStyleEngine : ArtworkEngineBase
{
    /// <summary>Defaults for CPU work at 256 px (docs/video.md has the measurements behind them).</summary>
    public static readonly VideoDefaults Defaults = new(FirstFrameIterations: 100, Iterations: 40, MaxIterations: StyleSettings.MaxIterations, TemporalWeight: 2e3);

    /// <summary>The still's parameters a video sets per frame.</summary>
    private static readonly string[] PerFrame = [StyleSchema.Iterations, StyleSchema.Scales, "init"];

    private readonly NeuralStyleEngine _style;
    private readonly VideoClip _clip;

    public VideoStyleEngine(IGraphSource graphs, OnnxSessionPool sessions, ImageLoader loader, ILogger<VideoStyleEngine>? logger = null, EngineOptions? options = null)
        : base(graphs, sessions, loader, logger, options)
    {
        _style = new NeuralStyleEngine(graphs, sessions, loader, options: Options);
        _clip = new VideoClip(Options, Logger);
    }

    public override string Kind => ArtworkKinds.VideoStyle;

    public override EngineDescriptor Describe(EngineLimits limits)
    {
        var still = _style.Describe(limits);
        return new EngineDescriptor
        {
            Kind = Kind,
            Title = "Video style transfer",
            Description = "Paints every frame of a video clip in the style of one or more artworks, without flicker: each frame starts from the previous result moved by the optical flow and keeps close to it (Ruder, Dosovitskiy and Brox, 2016).",
            Stage = "frame",
            Inputs = [.. still.Inputs.Where(r => r.Role != NeuralStyleEngine.InitRole).Select(r => r.Role == EngineDescriptor.SourceRole
                ? r with { Help = "The video clip (MP4, WebM, MOV or animated GIF)." }
                : r)],
            Parameters = VideoSchema.Describe(still.Parameters.Where(p => !PerFrame.Contains(p.Name, StringComparer.Ordinal)), limits, Defaults),
            Outputs = VideoOutputs.Describe(),
        };
    }

    protected override JobPlan Plan(PlanRequest request, JsonObject parameters)
    {
        var limits = request.Limits;
        var settings = VideoSettings.From(parameters, Describe(limits).Parameters);
        var source = request.Inputs.Single(i => i.Role == EngineDescriptor.SourceRole);
        var clip = VideoPlanning.Check(source, settings, limits);

        // Each frame is the still engine's plan at the working size; the first and the later frames differ in iterations only.
        var frameSource = source with { Width = clip.Width, Height = clip.Height, Frames = null, Seconds = null };
        PlanRequest Frame(int iterations) => new(FrameParameters(settings, iterations, clip).ToJsonString(),
            [.. request.Inputs.Select(i => i.Role == EngineDescriptor.SourceRole ? frameSource : i)], limits);
        var first = _style.Plan(Frame(settings.FirstFrameIterations));
        var later = _style.Plan(Frame(settings.Iterations));
        var effective = settings with { Still = Still(JsonNode.Parse(first.ParametersJson)!.AsObject()) };
        return VideoPlanning.Combine(first, later, clip, effective.ToJson(), limits, VideoSchema.Iterations);
    }

    /// <summary>The still's parameters of a frame: the job's, with the frame's iterations, one scale at the working size, and a start the engine sets.</summary>
    private static JsonObject FrameParameters(VideoSettings settings, int iterations, VideoPlanning.Clip clip)
    {
        var json = (JsonObject)settings.Still.DeepClone();
        json[StyleSchema.Iterations] = iterations;
        json[StyleSchema.Scales] = new JsonArray(Math.Max(clip.Width, clip.Height));
        json["init"] = StyleInitModes.Content;
        return json;
    }

    /// <summary>The still's effective parameters less the ones set per frame.</summary>
    private static JsonObject Still(JsonObject effective)
    {
        foreach (var name in PerFrame) effective.Remove(name);
        return effective;
    }

    private StyleSettings FrameSettings(VideoSettings settings, int frame, VideoPlanning.Clip clip)
    {
        var style = StyleSettings.FromJson(FrameParameters(settings, settings.FrameIterations(frame), clip).ToJsonString());
        return style with { Model = style.Model ?? Options.Model, Seed = PlanLimits.SeedOr(style.Seed) };
    }

    protected override EngineCheckpoint Start(ArtworkInputs inputs, CancellationToken cancellationToken)
    {
        var settings = VideoSettings.FromJson(inputs.ParametersJson, Describe(EngineLimits.Unbounded).Parameters);
        var header = _clip.ProbeAsync(inputs.Source, cancellationToken).GetAwaiter().GetResult();
        var clip = VideoPlanning.Check(header, settings, EngineLimits.Unbounded);
        var (frames, audio) = _clip.DecodeAsync(inputs.Source, settings.Fps, clip.Frames, clip.Width, clip.Height, cancellationToken).GetAwaiter().GetResult();
        settings = settings with { Still = settings.Still.DeepClone().AsObject() };
        var frameSettings = FrameSettings(settings, 0, clip);
        // The job's seed, drawn once, is kept in the still's parameters for every frame.
        settings.Still["seed"] = frameSettings.Seed;

        // The first frame decoded as the still engine decodes its inputs (style images trimmed and scaled, masks checked).
        using var first = ImageTensorConversions.FromRgbBytes(frames[0], clip.Width, clip.Height);
        var frameInputs = new ArtworkInputs(ImageWriter.Encode(first, RenderFormat.Png), inputs.Extras, frameSettings.ToJson());
        var style = _style.NewState(frameInputs, frameSettings, warped: null, cancellationToken);
        var video = new VideoState
        {
            SettingsJson = settings.ToJson(),
            Fps = clip.Fps,
            Width = clip.Width,
            Height = clip.Height,
            Sources = frames,
            Audio = audio ?? [],
            Inner = style.Serialize(),
        };
        Logger.LogInformation("Video style started: {Frames} frames of {Width}x{Height} at {Fps:0.##} fps, coherence {Coherence}, {First}/{Later} iterations.",
            frames.Count, clip.Width, clip.Height, clip.Fps, settings.Coherence, settings.FirstFrameIterations, settings.Iterations);
        return new EngineCheckpoint(video.Serialize(), Progress(video, settings, style));
    }

    protected override ChunkRun RunChunk(ReadOnlyMemory<byte> bytes, int maxIterations, IProgress<EngineProgress>? progress, CancellationToken cancellationToken)
    {
        var video = VideoState.Deserialize(bytes);
        var settings = VideoSettings.FromJson(video.SettingsJson, Describe(EngineLimits.Unbounded).Parameters);
        var style = StyleState.Deserialize(video.Inner);
        if (style.IsComplete) return new ChunkRun(new EngineCheckpoint(bytes.ToArray(), Progress(video, settings, style)), () => NeuralStyleEngine.Render(style), settings.ToJson());

        var temporal = settings.Coherence == CoherenceModes.Flow && video.Warped is not null && video.Mask is not null
            ? TemporalTerm.ForCanvas(video.Warped, video.Mask, style.Margin, settings.TemporalWeight)
            : null;
        _style.Advance(style, maxIterations, temporal, progress is null ? null : () => progress.Report(Progress(video, settings, style)), cancellationToken);
        if (!style.IsComplete)
        {
            video.Inner = style.Serialize();
            return new ChunkRun(new EngineCheckpoint(video.Serialize(), Progress(video, settings, style)), () => NeuralStyleEngine.Render(style), settings.ToJson());
        }

        // The frame is done: hand it over as saved and, unless it was the last, start the next from it.
        video.FrameLosses.Add(style.LastStyleLoss);
        var image = NeuralStyleEngine.Render(style);
        EngineFrame[] finished = [new(video.Frame, ImageWriter.Encode(image, RenderFormat.Png))];
        if (video.Frame == video.FrameCount - 1)
        {
            image.Dispose();
            video.Inner = style.Serialize();
            return new ChunkRun(new EngineCheckpoint(video.Serialize(), Progress(video, settings, style)), () => NeuralStyleEngine.Render(style), settings.ToJson()) { Frames = finished };
        }

        var next = video.Frame + 1;
        var clip = new VideoPlanning.Clip(video.FrameCount, video.Width, video.Height, video.Fps);
        var frameSettings = FrameSettings(settings, next, clip);
        ImageTensor? warped = null;
        if (settings.Warps)
        {
            using (image)
            {
                (warped, video.Mask) = VideoMotion.Carry(image.ToTensor(), video.Source(video.Frame), video.Source(next));
            }
        }
        else
        {
            image.Dispose();
            video.Mask = null;
        }
        video.Warped = warped;
        var nextStyle = NeuralStyleEngine.NextFrame(style, new StoredImage(video.Width, video.Height, video.Sources[next]), frameSettings, warped);
        video.Frame = next;
        video.Inner = nextStyle.Serialize();
        Logger.LogDebug("Video frame {Frame} of {Frames} done.", next, video.FrameCount);
        return new ChunkRun(new EngineCheckpoint(video.Serialize(), Progress(video, settings, nextStyle)), () => NeuralStyleEngine.Render(nextStyle), settings.ToJson()) { Frames = finished };
    }

    private static EngineProgress Progress(VideoState video, VideoSettings settings, StyleState style)
    {
        var total = settings.FirstFrameIterations + (long)(video.FrameCount - 1) * settings.Iterations;
        var before = video.Frame == 0 ? 0 : settings.FirstFrameIterations + (long)(video.Frame - 1) * settings.Iterations;
        return new EngineProgress(
            Phase: video.Frame + 1,
            PhaseCount: video.FrameCount,
            PhaseIteration: style.Iteration == 0 && style.IsComplete ? settings.FrameIterations(video.Frame) : style.Iteration,
            PhaseIterations: settings.FrameIterations(video.Frame),
            CompletedIterations: (int)(before + (style.IsComplete ? settings.FrameIterations(video.Frame) : style.Iteration)),
            TotalIterations: (int)total,
            Loss: style.LastLoss,
            IsComplete: style.IsComplete && video.Frame == video.FrameCount - 1,
            Width: video.Width,
            Height: video.Height);
    }

    protected override Image<Rgb24> RenderImage(ReadOnlyMemory<byte> state) => NeuralStyleEngine.Render(StyleState.Deserialize(VideoState.Deserialize(state).Inner));

    public override Task FinishAsync(ReadOnlyMemory<byte> state, IEngineOutputs outputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var video = VideoState.Deserialize(state);
        var style = StyleState.Deserialize(video.Inner);
        if (!style.IsComplete || video.Frame != video.FrameCount - 1) throw new InvalidOperationException($"The video is at frame {video.Frame + 1} of {video.FrameCount}; finish it first.");
        return VideoOutputs.FinishAsync(video, outputs, Options, Logger, cancellationToken);
    }

    /// <summary>The style loss of each finished frame (for measurements).</summary>
    internal static IReadOnlyList<double> FrameStyleLosses(ReadOnlyMemory<byte> state) => VideoState.Deserialize(state).FrameLosses;
}
