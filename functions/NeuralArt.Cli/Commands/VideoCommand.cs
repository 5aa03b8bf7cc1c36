using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Cli.Rendering;
using NeuralArt.Contract;
using NeuralArt.Engine;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Video;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart video clip.mp4 --style starry-night.jpg -o out/</c> (or <c>--effect dream</c>): a
/// clip through the same chunked video engine the pipeline runs (one chunk per frame), writing
/// <c>frames/00000.png</c>... as frames are made and, at the end, <c>preview.gif</c> and
/// <c>video.mp4</c>. Options left out take the engine's defaults (<see cref="VideoSchema"/>); the
/// engine checks every value and names the option. <c>--measure</c> adds the flicker figures:
/// the temporal error over the consistency mask and the optical flow's time per frame.
/// </summary>
public sealed class VideoCommand : AsyncCommand<VideoCommand.Settings>
{
    public const string StyleEffect = "style";
    public const string DreamEffect = "dream";

    public sealed class Settings : RuntimeSettings
    {
        [CommandArgument(0, "<input>")]
        [Description("The clip (MP4, WebM, MOV or animated GIF).")]
        public string Input { get; init; } = "";

        [CommandOption("-o|--output <FOLDER>")]
        [Description("Folder for frames/00000.png..., preview.gif and video.mp4.")]
        public string? Output { get; init; }

        [CommandOption("--effect <EFFECT>")]
        [Description("style (needs --style) or dream.")]
        [DefaultValue(StyleEffect)]
        public string Effect { get; init; } = StyleEffect;

        [CommandOption("--style <IMAGES>")]
        [Description("Style image, or several separated by commas (blended).")]
        public string? Style { get; init; }

        [CommandOption("--coherence <MODE>")]
        [Description("flow (default: warped start and temporal loss), init (warped start only) or none (every frame on its own).")]
        public string? Coherence { get; init; }

        [CommandOption("--temporal-weight <X>")]
        [Description("Weight of the temporal loss (coherence flow).")]
        public double? TemporalWeight { get; init; }

        [CommandOption("--first-iterations <N>")]
        [Description("Iterations of the first frame (per octave for dream).")]
        public int? FirstIterations { get; init; }

        [CommandOption("--iterations <N>")]
        [Description("Iterations of every later frame (per octave for dream).")]
        public int? Iterations { get; init; }

        [CommandOption("--fps <X>")]
        [Description("Frames per second to make, at most the clip's (default: every frame).")]
        public double? Fps { get; init; }

        [CommandOption("--max-size <PX>")]
        [Description("Long side of the frames in pixels.")]
        public int? MaxSize { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Random seed (default: random; the summary prints it).")]
        public long? Seed { get; init; }

        [CommandOption("--measure")]
        [Description("Also print the temporal error (over the consistency mask, flow on the source frames) and the flow's time per frame.")]
        public bool Measure { get; init; }

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("Give the output folder with -o <folder>.");
            if (Effect is not (StyleEffect or DreamEffect)) return ValidationResult.Error("--effect is style or dream.");
            if (Effect == StyleEffect && string.IsNullOrWhiteSpace(Style)) return ValidationResult.Error("Give the style image with --style <image>.");
            return ValidationResult.Success();
        }

        /// <summary>The options given, as the engine's parameters (the rest take the engine's defaults).</summary>
        public string ToParameters()
        {
            var json = new JsonObject { ["model"] = Model };
            void Set(string name, JsonNode? value)
            {
                if (value is not null) json[name] = value;
            }
            Set(VideoSchema.Coherence, Coherence);
            Set(VideoSchema.TemporalWeight, TemporalWeight);
            Set(VideoSchema.FirstFrameIterations, FirstIterations);
            Set(VideoSchema.Iterations, Iterations);
            Set(VideoSchema.Fps, Fps);
            Set(VideoSchema.MaxSize, MaxSize);
            Set("seed", Seed);
            return json.ToJsonString();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var services = CliServices.Create(settings);
        var clip = await File.ReadAllBytesAsync(settings.Input, cancellationToken);
        var extras = new List<NamedImage>();
        foreach (var path in (settings.Style ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            extras.Add(new NamedImage(NeuralStyleEngine.StyleRole, Path.GetFileName(path), await services.ReadImageAsync(path, NeuralStyleEngine.StyleRole, cancellationToken)));
        }

        var options = services.EngineOptions;
        VideoEngineBase engine = settings.Effect == DreamEffect
            ? new VideoDreamEngine(services.Graphs, services.Sessions, services.Loader, services.LoggerFactory.CreateLogger<VideoDreamEngine>(), options)
            : new VideoStyleEngine(services.Graphs, services.Sessions, services.Loader, services.LoggerFactory.CreateLogger<VideoStyleEngine>(), options);
        var clock = Stopwatch.StartNew();
        var checkpoint = await OptionErrors.TranslateAsync(() => engine.StartAsync(new ArtworkInputs(clip, extras, settings.ToParameters()), cancellationToken));
        var starting = clock.Elapsed;
        var outputs = new FolderOutputs(settings.Output!);
        var first = checkpoint.Progress;
        // The first frame takes its own iterations, every later frame the same.
        var later = first.PhaseCount > 1 ? (first.TotalIterations - first.PhaseIterations) / (first.PhaseCount - 1) : 0;
        var work = Enumerable.Repeat((long)later, first.PhaseCount).Prepend(first.PhaseIterations).Take(first.PhaseCount).ToList();
        var frameSeconds = new List<double>();
        clock.Restart();
        checkpoint = await new DreamProgressView(services.Console, work, engine.Describe(new EngineLimits()).Stage).RunAsync(
            Path.GetFileName(settings.Input),
            async progress =>
            {
                var current = checkpoint;
                var frameClock = Stopwatch.StartNew();
                while (!current.Progress.IsComplete)
                {
                    // One chunk per frame: the engine stops at frame ends by design.
                    current = await engine.RunChunkAsync(current.State, int.MaxValue, progress, cancellationToken: cancellationToken);
                    foreach (var frame in current.Frames) await outputs.WriteFrameAsync(frame, cancellationToken);
                    frameSeconds.Add(frameClock.Elapsed.TotalSeconds);
                    frameClock.Restart();
                }
                return current;
            });
        var making = clock.Elapsed;
        clock.Restart();
        await engine.FinishAsync(checkpoint.State, outputs, cancellationToken);
        var finishing = clock.Elapsed;

        var done = checkpoint.Progress;
        var laterMean = frameSeconds.Count > 1 ? frameSeconds.Skip(1).Average() : 0;
        services.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {done.PhaseCount} frames ({done.Width}x{done.Height}) to {outputs.PathOf("frames")} in {making.TotalSeconds:F1} s: first frame {frameSeconds.FirstOrDefault():F2} s, later frames {laterMean:F2} s each " +
            $"(decoding {starting.TotalSeconds:F1} s, preview and video {finishing.TotalSeconds:F1} s), {services.DeviceName}; " +
            $"coherence {Setting(checkpoint, VideoSchema.Coherence)}, {Setting(checkpoint, VideoSchema.FirstFrameIterations)}/{Setting(checkpoint, VideoSchema.Iterations)} iterations, seed {Setting(checkpoint, "seed")}.")));

        if (settings.Measure)
        {
            var json = Effective(checkpoint);
            var sources = await VideoMeasurements.DecodeFramesAsync(clip, json[VideoSchema.MaxSize]!.GetValue<int>(), done.PhaseCount, json[VideoSchema.Fps]?.GetValue<double>(), options, cancellationToken: cancellationToken);
            var frames = new List<byte[]>();
            for (var k = 0; k < done.PhaseCount; k++) frames.Add(await outputs.ReadFrameAsync(k, cancellationToken));
            var error = VideoMeasurements.FlowTemporalError(frames, sources);
            var flow = VideoMeasurements.FlowSecondsPerFrame(sources);
            services.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Temporal error (mean |out[k+1] - warp(out[k])| over the consistency mask, flow on the source frames): {error:F4}; optical flow and mask: {flow * 1000:F1} ms per frame.")));
        }
        return 0;
    }

    private static JsonObject Effective(EngineCheckpoint checkpoint) => JsonNode.Parse(checkpoint.SettingsJson ?? "{}")!.AsObject();

    private static string Setting(EngineCheckpoint checkpoint, string name) => Effective(checkpoint)[name]?.ToJsonString() ?? "?";
}
