using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Cli.Rendering;
using NeuralArt.Contract;
using NeuralArt.Engine;
using NeuralArt.Engine.Zoom;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart zoom &lt;input&gt; -o &lt;folder&gt;</c>: the DeepDream zoom through the same chunked
/// engine the pipeline runs (one chunk per frame), writing <c>frames/00000.png</c>... as frames are
/// made and, at the end, <c>animation.gif</c> and <c>animation.mp4</c>. Defaults are the engine's
/// schema's (<see cref="ZoomSchema"/>); its ranges are checked by the engine, which names the option.
/// </summary>
public sealed class ZoomCommand : AsyncCommand<ZoomCommand.Settings>
{
    public sealed class Settings : DreamOptions
    {
        [CommandArgument(0, "<input>")]
        [Description("Photo the first frame dreams on (JPEG, PNG, WebP, BMP or GIF).")]
        public string Input { get; init; } = "";

        [CommandOption("-o|--output <FOLDER>")]
        [Description("Folder for frames/00000.png..., animation.gif and animation.mp4.")]
        public string? Output { get; init; }

        [CommandOption("--frames <N>")]
        [Description("How many frames to make.")]
        [DefaultValue(ZoomSchema.DefaultFrames)]
        public int Frames { get; init; } = ZoomSchema.DefaultFrames;

        [CommandOption("--zoom <X>")]
        [Description("Zoom per frame (above 1): the centre 1/zoom of a frame, enlarged, starts the next one.")]
        [DefaultValue(ZoomSchema.DefaultZoom)]
        public double Zoom { get; init; } = ZoomSchema.DefaultZoom;

        [CommandOption("--rotate <DEG>")]
        [Description("Degrees the view turns per frame (positive: clockwise).")]
        [DefaultValue(ZoomSchema.DefaultRotate)]
        public double Rotate { get; init; } = ZoomSchema.DefaultRotate;

        [CommandOption("--shift-x <PX>")]
        [Description("Pixels the view moves right per frame (negative: left).")]
        [DefaultValue(ZoomSchema.DefaultShift)]
        public double ShiftX { get; init; } = ZoomSchema.DefaultShift;

        [CommandOption("--shift-y <PX>")]
        [Description("Pixels the view moves down per frame (negative: up).")]
        [DefaultValue(ZoomSchema.DefaultShift)]
        public double ShiftY { get; init; } = ZoomSchema.DefaultShift;

        [CommandOption("--fps <N>")]
        [Description("Frames per second of the GIF and the video.")]
        [DefaultValue(ZoomSchema.DefaultFps)]
        public int Fps { get; init; } = ZoomSchema.DefaultFps;

        [CommandOption("--animations <WHICH>")]
        [Description("What to make from the frames: gif+mp4, gif, mp4 or none.")]
        [DefaultValue(ZoomAnimations.Default)]
        public string Animations { get; init; } = ZoomAnimations.Default;

        [CommandOption("--octaves <N>")]
        [Description("Octaves (sizes) of each frame's dream, smallest first.")]
        [DefaultValue(ZoomSchema.DefaultOctaves)]
        public int Octaves { get; init; } = ZoomSchema.DefaultOctaves;

        [CommandOption("--iterations <N>")]
        [Description("Gradient steps per octave of each frame.")]
        [DefaultValue(ZoomSchema.DefaultIterations)]
        public int Iterations { get; init; } = ZoomSchema.DefaultIterations;

        [CommandOption("--max-size <PX>")]
        [Description("Scale the photo down so its longer side is at most this (the frames' size).")]
        [DefaultValue(ZoomSchema.DefaultMaxSize)]
        public int MaxSize { get; init; } = ZoomSchema.DefaultMaxSize;

        [CommandOption("--ffmpeg <PATH>")]
        [Description("The ffmpeg program that encodes the MP4.")]
        [DefaultValue(NeuralArt.Engine.EngineOptions.DefaultFfmpegPath)]
        public string Ffmpeg { get; init; } = NeuralArt.Engine.EngineOptions.DefaultFfmpegPath;

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("Give the output folder with -o <folder>.");
            return ValidationResult.Success();
        }

        /// <summary>The engine's parameters (checked by the engine against its schema, which names the bad field).</summary>
        public ZoomSettings ToZoomSettings() => new()
        {
            Frames = Frames,
            Zoom = Zoom,
            Rotate = Rotate,
            ShiftX = ShiftX,
            ShiftY = ShiftY,
            Fps = Fps,
            Animations = Animations,
            Model = Model,
            Layers = Layers,
            Octaves = Octaves,
            OctaveScale = OctaveScale,
            Iterations = Iterations,
            Step = Step,
            Jitter = Jitter,
            MaxSize = MaxSize,
            Seed = Seed,
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var services = CliServices.Create(settings);
        var source = await services.ReadImageAsync(settings.Input, EngineDescriptor.SourceRole, cancellationToken);

        var options = services.EngineOptions;
        options.FfmpegPath = settings.Ffmpeg;
        var engine = new ZoomEngine(services.Graphs, services.Sessions, services.Loader, services.LoggerFactory.CreateLogger<ZoomEngine>(), options);
        var clock = Stopwatch.StartNew();
        var checkpoint = await OptionErrors.TranslateAsync(() =>
            engine.StartAsync(new ArtworkInputs(source, [], settings.ToZoomSettings().ToJson()), cancellationToken));
        var outputs = new FolderOutputs(settings.Output!);
        // Every frame is the same work: the bar advances a frame's share per frame.
        var work = Enumerable.Repeat((long)checkpoint.Progress.PhaseIterations, checkpoint.Progress.PhaseCount).ToList();
        checkpoint = await new DreamProgressView(services.Console, work, engine.Describe(new EngineLimits()).Stage).RunAsync(
            Path.GetFileName(settings.Input),
            async progress =>
            {
                var current = checkpoint;
                while (!current.Progress.IsComplete)
                {
                    // One chunk per frame: the engine stops at frame ends by design.
                    current = await engine.RunChunkAsync(current.State, int.MaxValue, progress, cancellationToken: cancellationToken);
                    foreach (var frame in current.Frames) await outputs.WriteFrameAsync(frame, cancellationToken);
                }
                return current;
            });
        var dreaming = clock.Elapsed;

        // The GIF is written before the video is tried: a failing ffmpeg leaves it (and the frames) in place.
        clock.Restart();
        await engine.FinishAsync(checkpoint.State, outputs, cancellationToken);
        var finishing = clock.Elapsed;

        var effective = ZoomSettings.FromJson(checkpoint.SettingsJson);
        var progressNow = checkpoint.Progress;
        var files = new[] { ZoomEngine.AnimationFile, ZoomEngine.VideoFile }.Where(f => File.Exists(outputs.PathOf(f))).ToList();
        var animations = files.Count > 0
            ? string.Create(CultureInfo.InvariantCulture, $", {string.Join(" and ", files)} in {finishing.TotalSeconds:F1} s")
            : "";
        services.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {progressNow.PhaseCount} frames ({progressNow.Width}x{progressNow.Height}) to {outputs.PathOf(FrameNames.Folder)} in {dreaming.TotalSeconds:F1} s " +
            $"({dreaming.TotalSeconds / progressNow.PhaseCount:F2} s per frame){animations}: zoom {effective.Zoom}, rotate {effective.Rotate}, " +
            $"{effective.Octaves} octaves x {effective.Iterations} iterations per frame, step {effective.Step}, seed {effective.Seed}, {services.DeviceName}.")));
        return 0;
    }
}
