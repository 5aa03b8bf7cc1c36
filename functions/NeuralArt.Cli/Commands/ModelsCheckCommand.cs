using System.ComponentModel;
using System.Globalization;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart models check &lt;model&gt;</c>: the tool to run after bringing your own ONNX CNN. It
/// compiles the model's dream objective and compares the compiled gradient with central finite
/// differences of the compiled (float32) loss, on a random image:
/// <list type="bullet">
/// <item>along random directions weighted by the gradient, <c>d_i = g_i (1 + u_i)</c> with
/// <c>u_i</c> uniform in [-1,1] (no cancellation in <c>&lt;g,d&gt;</c>, yet not the gradient itself, so
/// a misplaced or mis-scaled backward rule shows), scaled so no pixel moves by more than the step;</item>
/// <item>along random ±1 directions, where <c>&lt;g,d&gt;</c> is a sum of terms of both signs, so the
/// error is taken relative to <c>sum |g_i d_i|</c> (the derivative's scale before cancellation);</item>
/// <item>at single pixels where the gradient is within 10x of its largest value (smaller ones move
/// the loss by less than its float32 rounding).</item>
/// </list>
/// Each check sweeps the finite-difference step and keeps the best agreement: large steps cross
/// ReLU/max-pool kinks (truncation error), small ones drown in float32 rounding of the loss; a wrong
/// backward rule is wrong at every step. The command fails when an error is above the tolerance and
/// the disagreement, in loss units, is above the loss's own float32 rounding.
/// </summary>
public sealed class ModelsCheckCommand : AsyncCommand<ModelsCheckCommand.Settings>
{
    private const int TopPixelPool = 50;
    private const double SignificantGradientFraction = 0.1;
    /// <summary>
    /// Loss changes smaller than this many units in the last place of the float32 loss cannot be
    /// resolved (the loss is a float32 mean of thousands of values), so a discrepancy below it is
    /// reported as "within rounding" rather than as a failure.
    /// </summary>
    private const int RoundingUlps = 16;
    private const double Tiny = 1e-30;
    private static readonly double[] DirectionSteps = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5];
    private static readonly double[] PixelSteps = [3e-2, 1e-2, 3e-3, 1e-3, 3e-4];

    public sealed class Settings : RuntimeSettings
    {
        [CommandArgument(0, "<model>")]
        [Description("Model name in the models folder, or a path to a manifest .json.")]
        public string ModelName { get; init; } = "";

        [CommandOption("--layers <TAPS>")]
        [Description("Taps to check (default: the model's recommended dream taps).")]
        public string? Layers { get; init; }

        [CommandOption("--each")]
        [Description("Check each tap on its own (a wrong rule behind one tap cannot hide behind the others' larger gradient).")]
        public bool Each { get; init; }

        [CommandOption("--size <PX>")]
        [Description("Side of the random test image.")]
        [DefaultValue(96)]
        public int Size { get; init; } = 96;

        [CommandOption("--directions <N>")]
        [Description("Random directions of each kind to check.")]
        [DefaultValue(3)]
        public int Directions { get; init; } = 3;

        [CommandOption("--pixels <N>")]
        [Description("Single pixels to check.")]
        [DefaultValue(6)]
        public int Pixels { get; init; } = 6;

        /// <summary>
        /// Measured on the shipped ResNet-18 (taps stem to layer4, seeds 1-5, 96 px): median relative
        /// errors 1e-4 to 2e-3, the worst single pixel 3.5e-2 (a kink between the finite steps). A
        /// wrong backward rule (a flipped kernel, a lost scale, a misaligned stride phase) changes
        /// the gradient by a sizable fraction, so 5e-2 flags it while kinks pass.
        /// </summary>
        [CommandOption("--tolerance <X>")]
        [Description("Largest relative error that passes.")]
        [DefaultValue(5e-2)]
        public double Tolerance { get; init; } = 5e-2;

        [CommandOption("--seed <N>")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (Size is < DreamSettings.MinImageSide or > DreamSettings.MaxImageSide)
                return ValidationResult.Error($"--size must be between {DreamSettings.MinImageSide} and {DreamSettings.MaxImageSide}.");
            if (Directions < 1 || Pixels < 0) return ValidationResult.Error("--directions must be at least 1 and --pixels not negative.");
            if (!(Tolerance > 0)) return ValidationResult.Error("--tolerance must be positive.");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var services = CliServices.Create(settings);
        var (manifest, cache) = LoadManifest(services.Catalog, settings.ModelName);
        var taps = TapOptions.Resolve(manifest, settings.Layers);
        IReadOnlyList<IReadOnlyList<TapWeight>> checks = settings.Each ? taps.Select(t => (IReadOnlyList<TapWeight>)[t]).ToList() : [taps];
        var failed = new List<string>();
        foreach (var check in checks)
        {
            if (!await CheckAsync(services, manifest, cache, check, settings, cancellationToken)) failed.Add(TapWeights.Format(check));
        }
        if (checks.Count > 1)
        {
            services.Console.MarkupLine(failed.Count == 0
                ? $"[green]All {checks.Count} taps passed.[/]"
                : Markup.Escape($"{failed.Count} of {checks.Count} taps failed: {string.Join("; ", failed)}."));
        }
        return failed.Count == 0 ? 0 : ErrorReporter.ExitBadInput;
    }

    private static async Task<bool> CheckAsync(CliServices services, BackboneManifest manifest, CompiledModelCache cache,
        IReadOnlyList<TapWeight> taps, Settings settings, CancellationToken cancellationToken)
    {
        var dream = new DreamParameters(taps);
        var graph = cache.GetOrCompile(manifest, dream.Objective());
        using var lease = services.Sessions.Rent(graph.Path);
        using var runner = new GradientRunner(lease.Session);
        DreamGraphInputs.Set(runner, dream, guided: false);
        var console = services.Console;
        console.MarkupLine(Markup.Escape($"Checking {manifest.Name} ({TapWeights.Format(taps)}) on a {settings.Size}x{settings.Size} random image; graph {Path.GetFileName(graph.Path)}."));

        var result = await Task.Run(() => Check(runner, settings, cancellationToken), cancellationToken);

        var rounding = RoundingUlps * (double)(MathF.BitIncrement(MathF.Abs(result.Loss)) - MathF.Abs(result.Loss));
        var table = new Table().AddColumns("Check", "Finite difference", "Compiled gradient", "Best step", "Relative error", "");
        var failures = 0;
        foreach (var row in result.Rows)
        {
            var verdict = row.RelativeError <= settings.Tolerance ? "[green]ok[/]"
                : row.LossDiscrepancy <= rounding ? "[yellow]within rounding[/]"
                : "[red]FAIL[/]";
            if (verdict.Contains("FAIL", StringComparison.Ordinal)) failures++;
            table.AddRow(Markup.Escape(row.Name), Format(row.Finite), Format(row.Analytic), Format(row.Step), Format(row.RelativeError), verdict);
        }
        console.Write(table);
        var worst = result.Rows.Max(r => r.RelativeError);
        var median = result.Rows.Select(r => r.RelativeError).Order().ElementAt(result.Rows.Count / 2);
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{TapWeights.Format(taps)}: loss {result.Loss:G6}; relative error median {median:E2}, largest {worst:E2} (tolerance {settings.Tolerance:G3}; loss rounding {rounding:E1}): ")) +
            (failures == 0 ? "[green]passed[/]" : $"[red]FAILED ({failures} of {result.Rows.Count})[/]"));
        return failures == 0;
    }

    /// <param name="LossDiscrepancy">The disagreement in loss units, <c>|fd - analytic| * 2 * step</c>.</param>
    private sealed record Row(string Name, double Finite, double Analytic, double Step, double RelativeError, double LossDiscrepancy);

    private sealed record CheckResult(float Loss, IReadOnlyList<Row> Rows);

    private static CheckResult Check(GradientRunner runner, Settings settings, CancellationToken cancellationToken)
    {
        var random = new Random(settings.Seed);
        var n = settings.Size;
        var image = new ImageTensor(n, n);
        // Mid-range random pixels, away from the [0,1] borders the finite steps must not cross.
        for (var i = 0; i < image.Data.Length; i++) image.Data[i] = (float)(0.2 + 0.6 * random.NextDouble());
        var grad = new ImageTensor(n, n);
        var scratch = new ImageTensor(n, n);
        var loss = runner.Run(image, grad, cancellationToken);
        var g = grad.Data;
        var rows = new List<Row>();

        for (var k = 0; k < settings.Directions; k++)
        {
            var weighted = new float[g.Length];
            for (var i = 0; i < g.Length; i++) weighted[i] = g[i] * (float)(1 + (2 * random.NextDouble() - 1));
            var largest = weighted.Max(v => Math.Abs(v));
            for (var i = 0; i < weighted.Length; i++) weighted[i] /= largest;
            rows.Add(Best($"gradient-weighted direction {k + 1}", runner, image, scratch, weighted, g, DirectionSteps, useTermScale: false, cancellationToken));
        }
        for (var k = 0; k < settings.Directions; k++)
        {
            var signs = new float[g.Length];
            for (var i = 0; i < signs.Length; i++) signs[i] = random.Next(2) == 0 ? -1f : 1f;
            rows.Add(Best($"random ±1 direction {k + 1} (vs sum |g d|)", runner, image, scratch, signs, g, DirectionSteps, useTermScale: true, cancellationToken));
        }
        var top = Enumerable.Range(0, g.Length).OrderByDescending(i => Math.Abs(g[i])).Take(TopPixelPool).ToList();
        // Where a pixel's gradient is tiny, its loss change drowns in float32 rounding: random
        // pixels are drawn among those within a factor of the largest gradient.
        var floor = Math.Abs(g[top[0]]) * SignificantGradientFraction;
        var significant = Enumerable.Range(0, g.Length).Where(i => Math.Abs(g[i]) >= floor).ToList();
        for (var k = 0; k < settings.Pixels; k++)
        {
            // Mostly pixels with the largest gradients, a third anywhere the gradient is significant.
            var index = k % 3 == 2 ? significant[random.Next(significant.Count)] : top[random.Next(top.Count)];
            var unit = new float[g.Length];
            unit[index] = 1f;
            var (c, y, x) = (index / (n * n), index / n % n, index % n);
            rows.Add(Best($"pixel c{c} y{y} x{x}", runner, image, scratch, unit, g, PixelSteps, useTermScale: false, cancellationToken));
        }
        return new CheckResult(loss, rows);
    }

    /// <summary>Central differences along <paramref name="direction"/> at each step; keeps the closest to the compiled value.</summary>
    private static Row Best(string name, GradientRunner runner, ImageTensor image, ImageTensor scratch, float[] direction, float[] grad,
        double[] steps, bool useTermScale, CancellationToken cancellationToken)
    {
        double analytic = 0, termScale = 0;
        for (var i = 0; i < direction.Length; i++)
        {
            analytic += (double)grad[i] * direction[i];
            termScale += Math.Abs((double)grad[i] * direction[i]);
        }
        Row? best = null;
        foreach (var step in steps)
        {
            var finite = Central(runner, image, scratch, direction, step, cancellationToken);
            var scale = useTermScale ? termScale : Math.Max(Math.Abs(finite), Math.Abs(analytic));
            var row = new Row(name, finite, analytic, step, Math.Abs(finite - analytic) / Math.Max(scale, Tiny), Math.Abs(finite - analytic) * 2 * step);
            if (best is null || row.RelativeError < best.RelativeError) best = row;
        }
        return best!;
    }

    private static double Central(GradientRunner runner, ImageTensor image, ImageTensor scratch, float[] direction, double epsilon, CancellationToken cancellationToken)
    {
        var plus = image.Clone();
        var minus = image.Clone();
        TensorOps.AddScaled(plus.Data, direction, (float)epsilon);
        TensorOps.AddScaled(minus.Data, direction, (float)-epsilon);
        // The step actually taken in float32 (x + e*d is rounded), measured on the largest component.
        var index = 0;
        for (var i = 1; i < direction.Length; i++) if (Math.Abs(direction[i]) > Math.Abs(direction[index])) index = i;
        var taken = ((double)plus.Data[index] - minus.Data[index]) / (2.0 * direction[index]);
        var lossPlus = (double)runner.Run(plus, scratch, cancellationToken);
        var lossMinus = (double)runner.Run(minus, scratch, cancellationToken);
        return (lossPlus - lossMinus) / (2.0 * taken);
    }
    private static (BackboneManifest Manifest, CompiledModelCache Cache) LoadManifest(ModelCatalog catalog, string model)
    {
        if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(model))
        {
            var manifest = BackboneManifest.Load(model);
            if (!File.Exists(manifest.BackbonePath))
            {
                throw new NeuralArt.Graphs.GraphCompilationException($"Backbone file '{manifest.BackbonePath}' of manifest '{model}' does not exist.");
            }
            return (manifest, new CompiledModelCache(Path.Combine(manifest.Directory!, "compiled")));
        }
        return (catalog.Get(model), new CompiledModelCache(catalog));
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
