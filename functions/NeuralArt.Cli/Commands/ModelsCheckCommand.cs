using System.ComponentModel;
using System.Globalization;
using NeuralArt.Cli.Infrastructure;
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
/// differences of the compiled loss: along random ±1 directions (every pixel moves, so the loss
/// change is large against float32 rounding) and at single pixels where the gradient is largest
/// (plus a few random ones). It prints each relative error and fails when the largest directional
/// error is above the tolerance. ReLU and max-pool kinks crossed by the finite step add error at
/// the 1e-3 level; a wrong backward rule gives errors of order 1.
/// </summary>
public sealed class ModelsCheckCommand : AsyncCommand<ModelsCheckCommand.Settings>
{
    private const int TopPixelPool = 50;
    private const double Tiny = 1e-30;

    public sealed class Settings : RuntimeSettings
    {
        [CommandArgument(0, "<model>")]
        [Description("Model name in the models folder, or a path to a manifest .json.")]
        public string ModelName { get; init; } = "";

        [CommandOption("--layers <TAPS>")]
        [Description("Taps to check (default: the model's recommended dream taps).")]
        public string? Layers { get; init; }

        [CommandOption("--size <PX>")]
        [Description("Side of the random test image.")]
        [DefaultValue(64)]
        public int Size { get; init; } = 64;

        [CommandOption("--directions <N>")]
        [Description("Random directions to check.")]
        [DefaultValue(4)]
        public int Directions { get; init; } = 4;

        [CommandOption("--pixels <N>")]
        [Description("Single pixels to check.")]
        [DefaultValue(6)]
        public int Pixels { get; init; } = 6;

        [CommandOption("--epsilon <X>")]
        [Description("Finite-difference step for directions (image in [0,1]); pixels use 10x this.")]
        [DefaultValue(1e-3)]
        public double Epsilon { get; init; } = 1e-3;

        [CommandOption("--tolerance <X>")]
        [Description("Largest directional relative error that passes.")]
        [DefaultValue(1e-2)]
        public double Tolerance { get; init; } = 1e-2;

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
            if (!(Epsilon > 0 && Epsilon < 0.1)) return ValidationResult.Error("--epsilon must be between 0 and 0.1.");
            if (!(Tolerance > 0)) return ValidationResult.Error("--tolerance must be positive.");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var services = CliServices.Create(settings);
        var (manifest, cache) = LoadManifest(services.Catalog, settings.ModelName);
        var taps = TapOptions.Resolve(manifest, settings.Layers);
        var graph = cache.GetOrCompile(manifest, new DreamObjective(taps));
        using var runner = new GradientRunner(services.Sessions.Get(graph.Path));
        var console = services.Console;
        console.MarkupLine(Markup.Escape($"Checking {manifest.Name} ({TapWeights.Format(taps)}) on a {settings.Size}x{settings.Size} random image; graph {Path.GetFileName(graph.Path)}."));

        var result = await Task.Run(() => Check(runner, settings, cancellationToken), cancellationToken);

        var table = new Table().AddColumns("Check", "Finite difference", "Compiled gradient", "Relative error");
        foreach (var row in result.Rows)
        {
            table.AddRow(Markup.Escape(row.Name), Format(row.Finite), Format(row.Analytic), Format(row.RelativeError));
        }
        console.Write(table);
        var maxDirectional = result.Rows.Where(r => r.Directional).Max(r => r.RelativeError);
        var pixelRows = result.Rows.Where(r => !r.Directional).ToList();
        var medianPixel = pixelRows.Count == 0 ? double.NaN : pixelRows.Select(r => r.RelativeError).Order().ElementAt(pixelRows.Count / 2);
        var passed = maxDirectional <= settings.Tolerance;
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"loss {result.Loss:G6}; largest directional relative error {maxDirectional:E2}, median pixel relative error {medianPixel:E2} (tolerance {settings.Tolerance:G3}): ")) +
            (passed ? "[green]passed[/]" : "[red]FAILED[/]"));
        return passed ? 0 : ErrorReporter.ExitBadInput;
    }

    private sealed record Row(string Name, bool Directional, double Finite, double Analytic, double RelativeError);

    private sealed record CheckResult(double Loss, IReadOnlyList<Row> Rows);

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
        var rows = new List<Row>();

        for (var k = 0; k < settings.Directions; k++)
        {
            var direction = new float[image.Data.Length];
            for (var i = 0; i < direction.Length; i++) direction[i] = random.Next(2) == 0 ? -1f : 1f;
            var finite = Central(runner, image, scratch, direction, settings.Epsilon, cancellationToken);
            var analytic = 0.0;
            for (var i = 0; i < direction.Length; i++) analytic += (double)grad.Data[i] * direction[i];
            rows.Add(new Row($"direction {k + 1} (±1 per value)", true, finite, analytic, Relative(finite, analytic)));
        }

        var pixelEpsilon = settings.Epsilon * 10;
        var top = Enumerable.Range(0, grad.Data.Length).OrderByDescending(i => Math.Abs(grad.Data[i])).Take(TopPixelPool).ToList();
        for (var k = 0; k < settings.Pixels; k++)
        {
            // Mostly pixels with large gradients (well above rounding), a third at random.
            var index = k % 3 == 2 ? random.Next(grad.Data.Length) : top[random.Next(top.Count)];
            var direction = new float[image.Data.Length];
            direction[index] = 1f;
            var finite = Central(runner, image, scratch, direction, pixelEpsilon, cancellationToken);
            var (c, y, x) = (index / (n * n), index / n % n, index % n);
            rows.Add(new Row($"pixel c{c} y{y} x{x}", false, finite, grad.Data[index], Relative(finite, grad.Data[index])));
        }
        return new CheckResult(loss, rows);
    }

    private static double Central(GradientRunner runner, ImageTensor image, ImageTensor scratch, float[] direction, double epsilon, CancellationToken cancellationToken)
    {
        var plus = image.Clone();
        var minus = image.Clone();
        TensorOps.AddScaled(plus.Data, direction, (float)epsilon);
        TensorOps.AddScaled(minus.Data, direction, (float)-epsilon);
        // The step actually taken in float32 (x + e*d is rounded), so the quotient uses the real distance.
        var index = Array.FindIndex(direction, d => d != 0f);
        var taken = ((double)plus.Data[index] - minus.Data[index]) / (2.0 * direction[index]);
        var lossPlus = (double)runner.Run(plus, scratch, cancellationToken);
        var lossMinus = (double)runner.Run(minus, scratch, cancellationToken);
        return (lossPlus - lossMinus) / (2.0 * taken);
    }

    private static double Relative(double finite, double analytic) =>
        Math.Abs(finite - analytic) / Math.Max(Math.Max(Math.Abs(finite), Math.Abs(analytic)), Tiny);

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
