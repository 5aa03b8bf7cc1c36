using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Cli.Rendering;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart dream &lt;input&gt; -o &lt;output&gt;</c>: a multi-octave DeepDream through the same
/// chunked engine the pipeline runs (one chunk per octave), with a progress bar and a summary line.
/// </summary>
public sealed class DreamCommand : AsyncCommand<DreamCommand.Settings>
{
    public sealed class Settings : DreamOptions
    {
        [CommandArgument(0, "<input>")]
        [Description("Image to dream on (JPEG, PNG, WebP, BMP or GIF).")]
        public string Input { get; init; } = "";

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the result (.png, .jpg or .jpeg).")]
        public string? Output { get; init; }

        [CommandOption("--octaves <N>")]
        [Description("Number of octaves (sizes), smallest first.")]
        [DefaultValue(DreamSettings.DefaultOctaves)]
        public int Octaves { get; init; } = DreamSettings.DefaultOctaves;

        [CommandOption("--iterations <N>")]
        [Description("Gradient steps per octave.")]
        [DefaultValue(DreamSettings.DefaultIterations)]
        public int Iterations { get; init; } = DreamSettings.DefaultIterations;

        [CommandOption("--channels <LIST>")]
        [Description("Only amplify these channels of the taps, for example 12,40,77.")]
        public string? Channels { get; init; }

        [CommandOption("--tile <PX>")]
        [Description("Tile size: larger images are processed in tiles of at most this side.")]
        [DefaultValue(DreamSettings.DefaultTileSize)]
        public int Tile { get; init; } = DreamSettings.DefaultTileSize;

        [CommandOption("--guide <IMAGE>")]
        [Description("Guide image: dream towards its features instead of amplifying the input's.")]
        public string? Guide { get; init; }

        [CommandOption("--max-size <PX>")]
        [Description("Scale the input down so its longer side is at most this.")]
        [DefaultValue(DreamSettings.DefaultMaxSize)]
        public int MaxSize { get; init; } = DreamSettings.DefaultMaxSize;

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("Give the output file with -o <file.png|file.jpg>.");
            return ValidationResult.Success();
        }

        /// <summary>The engine's settings record (validated by the engine, which names the bad field).</summary>
        public DreamSettings ToDreamSettings() => new()
        {
            Model = Model,
            Layers = Layers,
            Channels = Channels is null ? null : ChannelList.Parse(Channels),
            Octaves = Octaves,
            OctaveScale = OctaveScale,
            Iterations = Iterations,
            Step = Step,
            Jitter = Jitter,
            TileSize = Tile,
            MaxSize = MaxSize,
            Seed = Seed,
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var output = settings.Output!;
        var format = ImageWriter.FormatForPath(output);
        var dreamSettings = OptionErrors.Translate(() => settings.ToDreamSettings().Validate());
        using var services = CliServices.Create(settings);

        var source = await services.ReadImageAsync(settings.Input, EngineDescriptor.SourceRole, cancellationToken);
        var extras = new List<NamedImage>();
        if (settings.Guide is { } guidePath)
        {
            var guide = await services.ReadImageAsync(guidePath, DeepDreamEngine.GuideRole, cancellationToken);
            extras.Add(new NamedImage(DeepDreamEngine.GuideRole, Path.GetFileName(guidePath), guide));
        }

        var engine = new DeepDreamEngine(services.Graphs, services.Sessions, services.Loader,
            services.LoggerFactory.CreateLogger<DeepDreamEngine>(), services.EngineOptions);
        var clock = Stopwatch.StartNew();
        var checkpoint = await OptionErrors.TranslateAsync(() =>
            engine.StartAsync(new ArtworkInputs(source, extras, dreamSettings.ToJson()), cancellationToken));
        var info = engine.Inspect(checkpoint.State);
        var firstLoss = double.NaN;
        var work = info.OctaveSizes.Select(s => (long)s.Height * s.Width * info.Settings.Iterations).ToList();
        checkpoint = await new DreamProgressView(services.Console, work, engine.Describe(new EngineLimits()).Stage).RunAsync(
            Path.GetFileName(settings.Input),
            async progress =>
            {
                var current = checkpoint;
                while (!current.Progress.IsComplete)
                {
                    // One chunk per octave: the engine stops at octave ends by design.
                    current = await engine.RunChunkAsync(current.State, int.MaxValue, progress, cancellationToken: cancellationToken);
                    if (double.IsNaN(firstLoss)) firstLoss = current.Progress.Loss;
                }
                return current;
            });

        var bytes = await engine.RenderAsync(checkpoint.State, format, cancellationToken: cancellationToken);
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        if (directory is not null) Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(output, bytes, cancellationToken);

        var s = info.Settings;
        services.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {output} ({info.Width}x{info.Height}) in {clock.Elapsed.TotalSeconds:F1} s: {s.Octaves} octaves x {s.Iterations} iterations, " +
            $"layers {s.Layers ?? "(the model's recommended)"}{(s.Channels is null ? "" : " channels " + string.Join(",", s.Channels))}{(info.Guided ? ", guided" : "")}, " +
            $"step {s.Step}, seed {s.Seed}, {services.DeviceName}; loss {checkpoint.Progress.Loss:G4}.")));
        return 0;
    }
}
