using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Zoom;

/// <summary>
/// The "zoom into the dream" animation: frame 0 is a DeepDream of the photo; frame k+1 is a
/// DeepDream of frame k (as saved, 8-bit) moved by <see cref="ZoomMotion"/>: zoomed into its
/// centre, optionally turned and shifted. Each frame's dream is <see cref="DeepDreamEngine"/>'s own
/// (octaves with detail carry, jitter, steps), lighter than a still's. Chunks stop at the end of a
/// frame at the latest and hand the finished frame over as PNG; the checkpoint keeps only the
/// current frame's dream. <see cref="FinishAsync"/> makes the GIF and the MP4 from the frames.
/// </summary>
public sealed class ZoomEngine : ArtworkEngineBase
{
    public const string FramesOutput = "frames";
    public const string AnimationOutput = "animation";
    public const string VideoOutput = "video";
    public const string AnimationFile = "animation.gif";
    public const string VideoFile = "animation.mp4";

    /// <summary>Name prefix of the temporary folder ffmpeg reads the frames from (deleted after).</summary>
    public const string VideoFolderPrefix = "neuralart-zoom-video-";

    /// <summary>8-bit RGB copies of a frame a chunk holds besides the dream: the finished frame, its move, its PNG (at most as large).</summary>
    private const int FrameCopies = 3;

    private readonly DeepDreamEngine _dream;

    public ZoomEngine(IGraphSource graphs, OnnxSessionPool sessions, ImageLoader loader, ILogger<ZoomEngine>? logger = null, EngineOptions? options = null)
        : base(graphs, sessions, loader, logger, options)
    {
        _dream = new DeepDreamEngine(graphs, sessions, loader, options: Options);
    }

    public override string Kind => ArtworkKinds.Zoom;

    public override EngineDescriptor Describe(EngineLimits limits) => new()
    {
        Kind = Kind,
        Title = "DeepDream zoom",
        Description = "Zooms into a dream: each frame is a DeepDream of the previous one, zoomed into its centre (optionally turned and shifted); made into a GIF and an MP4.",
        Stage = "frame",
        Inputs = [new() { Role = EngineDescriptor.SourceRole, Min = 1, Max = 1, Help = "The photo the first frame dreams on." }],
        Parameters = ZoomSchema.Describe(Graphs.Models, Options.Model, limits),
        Outputs =
        [
            new() { Name = FramesOutput, Kind = OutputKinds.Frames, Formats = ["png"], Help = "Every frame as a PNG, written as it is made." },
            new() { Name = AnimationOutput, Kind = OutputKinds.Animation, Formats = ["gif"], File = AnimationFile, Help = "The frames as a looping animated GIF." },
            new() { Name = VideoOutput, Kind = OutputKinds.Video, Formats = ["mp4"], File = VideoFile, Help = "The frames as an H.264 MP4 video." },
        ],
    };

    protected override JobPlan Plan(PlanRequest request, JsonObject parameters)
    {
        var limits = request.Limits;
        var settings = Resolved(ZoomSettings.From(parameters, Describe(limits).Parameters));
        var source = request.Inputs.Single(i => i.Role == EngineDescriptor.SourceRole);
        var frame = _dream.PlanStill(settings.Dream(), source, guide: null, limits);

        var total = (long)settings.Frames * settings.FrameIterations;
        PlanLimits.Iterations(total, limits, $"{settings.Frames} frames x {settings.Octaves} octaves x {settings.Iterations} iterations", ZoomSchema.Frames);
        // The zoom's header around the frame's dream state.
        var checkpoint = frame.CheckpointBytes + PlanLimits.CheckpointOverheadBytes;
        PlanLimits.Checkpoint(checkpoint, limits, DreamSchema.MaxSize);
        var frameBytes = (long)ImageTensor.Channels * frame.Width * frame.Height;
        var chunkPeak = frame.PeakMemoryBytes + PlanLimits.CheckpointOverheadBytes + FrameCopies * frameBytes;
        // ImageSharp's GIF encoder takes the whole animation: every frame decoded at once, at the end.
        var gifPeak = ZoomAnimations.WritesGif(settings.Animations) ? (settings.Frames + FrameCopies) * frameBytes : 0;

        var effective = settings with { Layers = TapWeights.Format(frame.Taps), Seed = PlanLimits.SeedOr(settings.Seed) };
        return new JobPlan
        {
            ParametersJson = effective.ToJson(),
            Model = frame.Manifest.Name,
            Stages = Enumerable.Repeat(new StageSize(frame.Width, frame.Height, settings.FrameIterations), settings.Frames).ToList(),
            Cost = new JobCost
            {
                Iterations = total,
                PixelIterations = frame.PixelIterations * settings.Frames,
                MultiplyAdds = (double)frame.MultiplyAdds * settings.Frames,
                PeakMemoryBytes = Math.Max(chunkPeak, gifPeak),
                CheckpointBytes = checkpoint,
                WorkingPixels = (long)frame.Width * frame.Height,
            },
        };
    }

    protected override EngineCheckpoint Start(ArtworkInputs inputs, CancellationToken cancellationToken)
    {
        var settings = Resolved(ZoomSettings.FromJson(inputs.ParametersJson));
        settings = settings with { Seed = PlanLimits.SeedOr(settings.Seed) };
        var (manifest, parameters) = _dream.Resolve(settings.Dream());
        _dream.PrepareGraphs(manifest, parameters, guided: false);

        cancellationToken.ThrowIfCancellationRequested();
        using var photo = _dream.LoadSource(inputs.Source, settings.MaxSize);
        var state = new ZoomState(settings, 0, DeepDreamEngine.NewState(photo, settings.Dream(0)));
        Logger.LogInformation("Zoom started: {Frames} frames of {Width}x{Height}, zoom {Zoom}, rotate {Rotate}, {Octaves} octaves x {Iterations} iterations per frame, seed {Seed}.",
            settings.Frames, photo.Width, photo.Height, settings.Zoom, settings.Rotate, settings.Octaves, settings.Iterations, settings.Seed);
        return new EngineCheckpoint(state.Serialize(), state.Progress());
    }

    protected override ChunkRun RunChunk(ReadOnlyMemory<byte> bytes, int maxIterations, IProgress<EngineProgress>? progress, CancellationToken cancellationToken)
    {
        var zoom = ZoomState.Deserialize(bytes);
        var settings = zoom.Settings;
        if (zoom.IsComplete) return new ChunkRun(new EngineCheckpoint(bytes.ToArray(), zoom.Progress()), () => Picture(zoom), settings.ToJson());

        // Octave after octave of the current frame, until the budget or the frame runs out.
        var dream = zoom.Dream;
        var budget = maxIterations;
        while (budget > 0 && !dream.IsComplete)
        {
            var before = dream.CompletedIterations;
            _dream.Advance(dream, budget, _ => progress?.Report(zoom.Progress()), cancellationToken);
            budget -= dream.CompletedIterations - before;
        }

        if (!dream.IsComplete)
        {
            return new ChunkRun(new EngineCheckpoint(zoom.Serialize(), zoom.Progress()), () => Picture(zoom), settings.ToJson());
        }

        // The frame is done: hand it over as saved and, unless it was the last, start the next one from it, moved.
        var image = dream.Image;
        using var frame = image.ToImage();
        EngineFrame[] finished = [new(zoom.Frame, ImageWriter.Encode(frame, RenderFormat.Png))];
        if (zoom.IsComplete)
        {
            return new ChunkRun(new EngineCheckpoint(zoom.Serialize(), zoom.Progress()), () => Picture(zoom), settings.ToJson()) { Frames = finished };
        }

        using var start = settings.Motion.Apply(frame);
        var next = new ZoomState(settings, zoom.Frame + 1, DeepDreamEngine.NewState(start, settings.Dream(zoom.Frame + 1)));
        Logger.LogDebug("Zoom frame {Frame} of {Frames} done.", zoom.Frame + 1, settings.Frames);
        return new ChunkRun(new EngineCheckpoint(next.Serialize(), next.Progress()), () => image.ToImage(), settings.ToJson()) { Frames = finished };
    }

    /// <summary>
    /// The state's picture: the dream in progress before frame 0 is done, then the current frame's
    /// start image (the latest finished frame, moved: that frame itself is not kept), and the last
    /// frame once complete.
    /// </summary>
    private static Image<Rgb24> Picture(ZoomState zoom) =>
        zoom.Frame == 0 || zoom.Dream.IsComplete
            ? zoom.Dream.Image.ToImage()
            : ImageTensorConversions.FromRgbBytes(zoom.Dream.Source, zoom.Dream.SourceWidth, zoom.Dream.SourceHeight);

    protected override Image<Rgb24> RenderImage(ReadOnlyMemory<byte> state) => Picture(ZoomState.Deserialize(state));

    /// <summary>
    /// Makes the animations <see cref="ZoomSettings.Animations"/> asks for from the frames the chunks
    /// handed over: first <c>animation.gif</c>, then <c>animation.mp4</c> through ffmpeg (so a host
    /// without a working ffmpeg still leaves the GIF before the job fails with the reason).
    /// </summary>
    public override async Task FinishAsync(ReadOnlyMemory<byte> state, IEngineOutputs outputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var zoom = ZoomState.Deserialize(state);
        if (!zoom.IsComplete) throw new InvalidOperationException($"The zoom is at frame {zoom.Frame + 1} of {zoom.Settings.Frames}; finish it first.");
        var settings = zoom.Settings;
        var gif = ZoomAnimations.WritesGif(settings.Animations) ? new GifAnimation(settings.Fps) : null;
        var videoFolder = ZoomAnimations.WritesMp4(settings.Animations) ? Directory.CreateTempSubdirectory(VideoFolderPrefix).FullName : null;
        try
        {
            if (gif is null && videoFolder is null) return;
            // Each frame is read once: into the GIF and, for ffmpeg, into the temporary folder.
            for (var index = 0; index < settings.Frames; index++)
            {
                var png = await outputs.ReadFrameAsync(index, cancellationToken).ConfigureAwait(false);
                if (videoFolder is not null) await File.WriteAllBytesAsync(FfmpegVideo.FrameFile(videoFolder, index), png, cancellationToken).ConfigureAwait(false);
                gif?.Add(png, index);
            }

            if (gif is not null)
            {
                var animation = await Task.Run(gif.Encode, cancellationToken).ConfigureAwait(false);
                await outputs.WriteAsync(AnimationFile, animation, ContentTypes.Gif, cancellationToken).ConfigureAwait(false);
                gif.Dispose();
                gif = null;
            }

            if (videoFolder is not null)
            {
                var video = new FfmpegVideo(Options.FfmpegPath, TimeSpan.FromSeconds(Options.FfmpegTimeoutSeconds), Logger);
                var mp4 = await video.EncodeAsync(videoFolder, settings.Fps, cancellationToken).ConfigureAwait(false);
                await outputs.WriteAsync(VideoFile, mp4, ContentTypes.Mp4, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gif?.Dispose();
            if (videoFolder is not null) DeleteFolder(videoFolder);
        }
    }

    /// <summary>Removes the video's temporary folder; a failure to is logged, never hides the job's own outcome.</summary>
    private void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Logger.LogWarning(ex, "The zoom's temporary video folder {Folder} could not be deleted.", folder);
        }
    }

    /// <summary>The engine's default model where the request names none.</summary>
    private ZoomSettings Resolved(ZoomSettings settings) => settings with { Model = settings.Model ?? Options.Model };
}
