using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Graphs.Objectives;
using Spectre.Console;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// The style section of <c>neuralart bench</c>: at each size, the median time of one evaluation of
/// the style objective's compiled graph (loss and gradient, through the engine's runner) on the cat
/// photo at that long side, and of a forward pass to the same taps, and their ratio; then a whole L-BFGS style transfer (the bundled
/// cat photo and Starry Night, 300 iterations at 512 px by default) through the engine.
/// </summary>
internal static class StyleBench
{
    private const long Seed = 1234;
    private const string ContentSample = "content/cat_chelsea.png";
    private const string StyleSample = "style/van_gogh_starry_night.jpg";

    public static async Task RunAsync(CliServices services, BenchCommand.Settings settings, Func<Action, (double Milliseconds, int Runs)> measure,
        CancellationToken cancellationToken)
    {
        var console = services.Console;
        var samples = Path.Combine(Path.GetDirectoryName(services.Catalog.Directory)!, "samples");
        var contentPath = Path.Combine(samples, ContentSample);
        var stylePath = Path.Combine(samples, StyleSample);
        if (!File.Exists(contentPath) || !File.Exists(stylePath))
        {
            console.MarkupLine(Markup.Escape($"style bench skipped: {contentPath} or {stylePath} is missing."));
            return;
        }
        var content = await File.ReadAllBytesAsync(contentPath, cancellationToken);
        var style = await File.ReadAllBytesAsync(stylePath, cancellationToken);
        var engine = new NeuralStyleEngine(services.Graphs, services.Sessions, new ImageLoader(new ImageLimits()), NullLogger<NeuralStyleEngine>.Instance);
        var baseSettings = new StyleSettings { Model = settings.Model, Seed = Seed, TileSize = StyleSettings.MaxTileSize };

        var table = new Table().AddColumns("Size (cat)", "Style step (ms)", "Forward (ms)", "Step / forward", "Runs");
        foreach (var side in settings.StyleSizeList)
        {
            // A real objective (targets from the samples), timed as the optimizer calls it.
            var start = await engine.StartAsync(new ArtworkInputs(content, [new NamedImage(NeuralStyleEngine.StyleRole, "style", style)],
                (baseSettings with { Scales = [side], Iterations = 1 }).ToJson()), cancellationToken);
            // The cat at this long side: the size the transfer below runs at.
            using var objective = engine.CreateObjective(start.State, cancellationToken);
            // The forward pass to the taps the objective uses (the same truncated network).
            var info = engine.Inspect(start.State);
            var manifest = services.Graphs.GetManifest(settings.Model);
            using var featuresLease = services.Sessions.Rent(services.Graphs.GetGraph(manifest,
                new FeaturesObjective(info.StyleTaps.Concat(info.ContentTaps).Distinct().ToList())).Path);
            var features = new FeatureExtractor(featuresLease.Session);
            var image = engine.ContentAtCurrentScale(start.State);
            var gradient = new float[image.Data.Length];
            var (stepMs, stepRuns) = await Task.Run(() => measure(() => objective.Evaluate(image.Data, gradient, cancellationToken)), cancellationToken);
            var (forwardMs, forwardRuns) = await Task.Run(() => measure(() => features.Run(image, cancellationToken)), cancellationToken);
            table.AddRow($"{image.Width}x{image.Height}", F(stepMs, "F1"), F(forwardMs, "F1"), F(stepMs / forwardMs, "F2"), $"{stepRuns}/{forwardRuns}");
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"  style {image.Width}x{image.Height}: step {stepMs:F1} ms, forward {forwardMs:F1} ms, ratio {stepMs / forwardMs:F2}")));
        }
        console.Write(table);
        if (settings.StyleIterations == 0) return;

        var transfer = baseSettings with { Scales = [settings.StyleSize], Iterations = settings.StyleIterations };
        var clock = Stopwatch.StartNew();
        var checkpoint = await engine.StartAsync(new ArtworkInputs(content, [new NamedImage(NeuralStyleEngine.StyleRole, "style", style)], transfer.ToJson()), cancellationToken);
        var startSeconds = clock.Elapsed.TotalSeconds;
        var initial = await engine.MeasureAsync(checkpoint.State, cancellationToken: cancellationToken);
        var measureSeconds = clock.Elapsed.TotalSeconds - startSeconds;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var runClock = Stopwatch.StartNew();
        while (!checkpoint.Progress.IsComplete)
        {
            checkpoint = await engine.RunChunkAsync(checkpoint.State, int.MaxValue, cancellationToken: cancellationToken);
        }
        var runSeconds = runClock.Elapsed.TotalSeconds;
        // CPU time tells a shared machine's contention apart from our own cost.
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var done = engine.Inspect(checkpoint.State);
        var final = done.LastParts!.Value;
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Style transfer {checkpoint.Progress.Width}x{checkpoint.Progress.Height} ({ContentSample}, {StyleSample}), {transfer.Iterations} L-BFGS iterations: " +
            $"{runSeconds:F1} s, CPU {cpuSeconds:F1} s ({done.Evaluations} evaluations, {1000 * runSeconds / done.Evaluations:F0} ms each, style taps {string.Join(",", done.StyleTaps)}; start {startSeconds:F2} s, not counted: measuring {measureSeconds:F2} s); " +
            $"style loss {initial.Style:G4} -> {final.Style:G4} ({initial.Style / final.Style:F0}x), content {final.Content:G4}")));
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
