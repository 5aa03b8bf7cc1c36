using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Cli.Rendering;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Optimizers;
using NeuralArt.Engine.Style;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart style &lt;input&gt; &lt;style&gt;[,&lt;style2&gt;...] -o &lt;output&gt;</c>: neural style
/// transfer through the same chunked engine the pipeline runs (one chunk per scale), with a progress
/// bar and a summary line.
/// </summary>
public sealed class StyleCommand : AsyncCommand<StyleCommand.Settings>
{
    public sealed class Settings : RuntimeSettings
    {
        [CommandArgument(0, "<input>")]
        [Description("Source image to restyle (JPEG, PNG, WebP, BMP or GIF).")]
        public string Input { get; init; } = "";

        [CommandArgument(1, "<styles>")]
        [Description("Style image, or several separated by commas (blended).")]
        public string Styles { get; init; } = "";

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the result (.png, .jpg or .jpeg).")]
        public string? Output { get; init; }

        [CommandOption("--mask <IMAGE>")]
        [Description("Region mask of a style image, once per style image in the same order (or comma-separated): white where that style applies, black where not; parts no mask covers keep the source.")]
        public string[] Masks { get; init; } = [];

        [CommandOption("--style-mask <IMAGE>")]
        [Description("Mask of a style image, once per style image in the same order (or comma-separated): white marks the part of that painting whose style is used; any size with that style image's shape.")]
        public string[] StyleMasks { get; init; } = [];

        [CommandOption("--margin <FRACTION>")]
        [Description("Reflected margin around the optimized image, as a fraction of its long side (cropped when saving; keeps the edges from darkening). 0 turns it off.")]
        [DefaultValue(StyleSettings.DefaultMargin)]
        public float Margin { get; init; } = StyleSettings.DefaultMargin;

        [CommandOption("--keep-style-frames")]
        [Description("Keep uniform frames (black scan borders) of the style images; by default they are trimmed, since they would be painted along the result's edges.")]
        public bool KeepStyleFrames { get; init; }

        [CommandOption("--style-blend <WEIGHTS>")]
        [Description("Blend weights of the style images, for example 0.7,0.3 (default: equal).")]
        public string? StyleBlend { get; init; }

        [CommandOption("--style-weight <X>")]
        [Description("Weight of the style (Gram) loss.")]
        [DefaultValue(StyleSettings.DefaultStyleWeight)]
        public double StyleWeight { get; init; } = StyleSettings.DefaultStyleWeight;

        [CommandOption("--content-weight <X>")]
        [Description("Weight of the content loss.")]
        [DefaultValue(StyleSettings.DefaultContentWeight)]
        public double ContentWeight { get; init; } = StyleSettings.DefaultContentWeight;

        [CommandOption("--tv-weight <X>")]
        [Description("Weight of the total variation loss (smooths the stride-2 grid pattern).")]
        [DefaultValue(StyleSettings.DefaultTvWeight)]
        public double TvWeight { get; init; } = StyleSettings.DefaultTvWeight;

        [CommandOption("--optimizer <NAME>")]
        [Description("lbfgs or adam.")]
        [DefaultValue(OptimizerKinds.Lbfgs)]
        public string Optimizer { get; init; } = OptimizerKinds.Lbfgs;

        [CommandOption("--learning-rate <X>")]
        [Description("Adam's step size (image in [[0,1]]).")]
        [DefaultValue(StyleSettings.DefaultLearningRate)]
        public double LearningRate { get; init; } = StyleSettings.DefaultLearningRate;

        [CommandOption("--adam-average <DECAY>")]
        [Description("Adam only: keep an exponential moving average of the image with this decay (for example 0.99) and return it; 0 is off.")]
        [DefaultValue(StyleSettings.DefaultAdamAverage)]
        public double AdamAverage { get; init; } = StyleSettings.DefaultAdamAverage;

        [CommandOption("--iterations <N>")]
        [Description("Optimizer iterations at each scale.")]
        [DefaultValue(StyleSettings.DefaultIterations)]
        public int Iterations { get; init; } = StyleSettings.DefaultIterations;

        [CommandOption("--scales <PX>")]
        [Description("Long side at each scale, coarse to fine, for example 256,512,1024.")]
        [DefaultValue("256,512")]
        public string Scales { get; init; } = "256,512";

        [CommandOption("--preserve-colors <MODE>")]
        [Description("none, luminance (transfer luminance only, keep the source's colours) or histogram (recolour the style to the source first).")]
        [DefaultValue(PreserveColorModes.None)]
        public string PreserveColors { get; init; } = PreserveColorModes.None;

        [CommandOption("--init <FROM>")]
        [Description("Start from content, noise, or an image file.")]
        [DefaultValue(StyleInitModes.Content)]
        public string Init { get; init; } = StyleInitModes.Content;

        [CommandOption("--style-scale <X>")]
        [Description("Size of the style images relative to the source (long sides).")]
        [DefaultValue(StyleSettings.DefaultStyleScale)]
        public float StyleScale { get; init; } = StyleSettings.DefaultStyleScale;

        [CommandOption("--smoothing <MODE>")]
        [Description("Feature smoothing of residual backbones: auto (on for ResNet), on or off.")]
        [DefaultValue(SmoothingModes.Auto)]
        public string Smoothing { get; init; } = SmoothingModes.Auto;

        [CommandOption("--smoothing-mode <MODE>")]
        [Description("scale (layer3/layer4 features times --smoothing-factor) or softmax (over channels, at --temperature).")]
        [DefaultValue(StyleSettings.DefaultSmoothingMode)]
        public string SmoothingMode { get; init; } = StyleSettings.DefaultSmoothingMode;

        [CommandOption("--smoothing-factor <X>")]
        [Description("Feature scale of the scale smoothing.")]
        [DefaultValue(StyleSettings.DefaultSmoothingFactor)]
        public float SmoothingFactor { get; init; } = StyleSettings.DefaultSmoothingFactor;

        [CommandOption("--temperature <T>")]
        [Description("Softmax temperature of the softmax smoothing.")]
        [DefaultValue(StyleSettings.DefaultSmoothingTemperature)]
        public float Temperature { get; init; } = StyleSettings.DefaultSmoothingTemperature;

        [CommandOption("--style-layers <TAPS>")]
        [Description("Style taps and weights (default: the model's recommendation), for example stem,layer1,layer2.")]
        public string? StyleLayers { get; init; }

        [CommandOption("--content-layers <TAPS>")]
        [Description("Content taps and weights (default: the model's recommendation), for example layer3.")]
        public string? ContentLayers { get; init; }

        [CommandOption("--tile <PX>")]
        [Description("Images with a side above this are optimized tile by tile (exactly).")]
        [DefaultValue(StyleSettings.DefaultTileSize)]
        public int Tile { get; init; } = StyleSettings.DefaultTileSize;

        [CommandOption("--seed <N>")]
        [Description("Random seed for noise initialization (default: random; the summary prints it).")]
        public long? Seed { get; init; }

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("Give the output file with -o <file.png|file.jpg>.");
            // Counts of styles and masks are the engine's to check (its descriptor and its start), in
            // the same words for the CLI, the door and the inbox.
            return ValidationResult.Success();
        }

        public IReadOnlyList<string> StylePaths => Styles.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        public IReadOnlyList<string> MaskPaths => PathList(Masks);

        public IReadOnlyList<string> StyleMaskPaths => PathList(StyleMasks);

        /// <summary>Paths given once per option or comma-separated, in order.</summary>
        private static List<string> PathList(IEnumerable<string> values) =>
            values.SelectMany(m => m.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();

        /// <summary>An init that is neither <c>content</c> nor <c>noise</c> is an image file.</summary>
        public string? InitImage => Init is StyleInitModes.Content or StyleInitModes.Noise ? null : Init;

        /// <summary>The engine's settings record (validated by the engine, which names the bad field).</summary>
        public StyleSettings ToStyleSettings() => new()
        {
            Model = Model,
            StyleLayers = StyleLayers,
            ContentLayers = ContentLayers,
            StyleWeight = StyleWeight,
            ContentWeight = ContentWeight,
            TvWeight = TvWeight,
            Optimizer = Optimizer.ToLowerInvariant(),
            LearningRate = LearningRate,
            AdamAverage = AdamAverage,
            Iterations = Iterations,
            Scales = NumberList.Integers(Scales, "--scales", "scales"),
            Init = InitImage is null ? Init : StyleInitModes.Image,
            StyleBlend = StyleBlend is null ? null : NumberList.Doubles(StyleBlend, "--style-blend", "styleBlend"),
            StyleScale = StyleScale,
            PreserveColors = PreserveColors.ToLowerInvariant(),
            Smoothing = Smoothing.ToLowerInvariant(),
            SmoothingMode = SmoothingMode.ToLowerInvariant(),
            SmoothingFactor = SmoothingFactor,
            SmoothingTemperature = Temperature,
            TileSize = Tile,
            Margin = Margin,
            StyleFrames = KeepStyleFrames ? StyleFrameModes.Keep : StyleFrameModes.Trim,
            Seed = Seed,
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var output = settings.Output!;
        var format = ImageWriter.FormatForPath(output);
        var styleSettings = OptionErrors.Translate(() => settings.ToStyleSettings().Validate());
        using var services = CliServices.Create(settings);

        var source = await services.ReadImageAsync(settings.Input, EngineDescriptor.SourceRole, cancellationToken);
        var extras = new List<NamedImage>();
        foreach (var path in settings.StylePaths)
        {
            extras.Add(new NamedImage(NeuralStyleEngine.StyleRole, Path.GetFileName(path), await services.ReadImageAsync(path, NeuralStyleEngine.StyleRole, cancellationToken)));
        }
        foreach (var (role, paths) in new[] { (NeuralStyleEngine.MaskRole, settings.MaskPaths), (NeuralStyleEngine.StyleMaskRole, settings.StyleMaskPaths) })
        {
            foreach (var path in paths)
            {
                extras.Add(new NamedImage(role, Path.GetFileName(path), await services.ReadImageAsync(path, role, cancellationToken)));
            }
        }
        if (settings.InitImage is { } initPath)
        {
            extras.Add(new NamedImage(NeuralStyleEngine.InitRole, Path.GetFileName(initPath), await services.ReadImageAsync(initPath, NeuralStyleEngine.InitRole, cancellationToken)));
        }

        var engine = new NeuralStyleEngine(services.Graphs, services.Sessions, services.Loader,
            services.LoggerFactory.CreateLogger<NeuralStyleEngine>());
        var clock = Stopwatch.StartNew();
        var checkpoint = await OptionErrors.TranslateAsync(() =>
            engine.StartAsync(new ArtworkInputs(source, extras, styleSettings.ToJson()), cancellationToken));
        var info = engine.Inspect(checkpoint.State);
        var work = info.ScaleSizes.Select(s => (long)s.Height * s.Width * info.Settings.Iterations).ToList();
        checkpoint = await new DreamProgressView(services.Console, work, engine.Describe(new EngineLimits()).Stage).RunAsync(
            Path.GetFileName(settings.Input),
            async progress =>
            {
                var current = checkpoint;
                while (!current.Progress.IsComplete)
                {
                    // One chunk per scale: the engine stops at scale ends by design.
                    current = await engine.RunChunkAsync(current.State, int.MaxValue, progress, cancellationToken: cancellationToken);
                }
                return current;
            });

        var bytes = await engine.RenderAsync(checkpoint.State, format, cancellationToken: cancellationToken);
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        if (directory is not null) Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(output, bytes, cancellationToken);

        var done = engine.Inspect(checkpoint.State);
        var s = done.Settings;
        var (width, height) = (checkpoint.Progress.Width, checkpoint.Progress.Height);
        var parts = done.LastParts is { } p ? $"style {p.Style:G4}, content {p.Content:G4}, tv {p.TotalVariation:G4}" : $"loss {checkpoint.Progress.Loss:G4}";
        services.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {output} ({width}x{height}) in {clock.Elapsed.TotalSeconds:F1} s: {done.Styles} style(s), scales {string.Join(",", s.Scales)} x {s.Iterations} {s.Optimizer} iterations " +
            $"({done.Evaluations} evaluations), weights style {s.StyleWeight:G3} content {s.ContentWeight:G3} tv {s.TvWeight:G3}, colours {s.PreserveColors}, " +
            $"smoothing {s.Smoothing}, seed {s.Seed}, {services.DeviceName}; {parts}.")));
        return 0;
    }
}
