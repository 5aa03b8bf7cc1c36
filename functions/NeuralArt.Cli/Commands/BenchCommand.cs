using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralArt.Cli.Diagnostics;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Analysis;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart bench</c>: at each size, the median time of a gradient step (the dream objective's
/// compiled graph, through the same IOBinding runner the engine uses) and of a forward pass of the
/// same truncated network (the features graph), and their ratio; then a whole DeepDream (4 octaves
/// x 10 iterations by default) at 1024 x 1024 through the engine. Warm-up runs are not counted.
/// Each figure is set against its convolution floor: the step's convolution multiply-adds (forward
/// and input gradient, counted from the network) at the rate this machine's convolutions reach.
/// </summary>
public sealed class BenchCommand : AsyncCommand<BenchCommand.Settings>
{
    private const double TargetMeasureMilliseconds = 2000;
    private const int MinRepeats = 3;
    private const int MaxRepeats = 20;
    private const long DreamSeed = 1234;

    public sealed class Settings : RuntimeSettings
    {
        [CommandOption("--sizes <LIST>")]
        [Description("Square image sides to time, comma-separated.")]
        [DefaultValue("224,512,1024")]
        public string Sizes { get; init; } = "224,512,1024";

        [CommandOption("--layers <TAPS>")]
        [Description("Dream taps (default: the model's recommended dream taps).")]
        public string? Layers { get; init; }

        [CommandOption("--repeats <N>")]
        [Description("Timed runs per measurement (0: enough for about 2 s, 3 to 20).")]
        [DefaultValue(0)]
        public int Repeats { get; init; }

        [CommandOption("--dream-size <PX>")]
        [Description("Side of the square image of the timed DeepDream.")]
        [DefaultValue(1024)]
        public int DreamSize { get; init; } = 1024;

        [CommandOption("--dream-octaves <N>")]
        [DefaultValue(4)]
        public int DreamOctaves { get; init; } = 4;

        [CommandOption("--dream-iterations <N>")]
        [DefaultValue(10)]
        public int DreamIterations { get; init; } = 10;

        [CommandOption("--tile <PX>")]
        [Description("Tile size of the timed DeepDream.")]
        [DefaultValue(DreamSettings.DefaultTileSize)]
        public int Tile { get; init; } = DreamSettings.DefaultTileSize;

        [CommandOption("--no-dream")]
        [Description("Skip the timed DeepDream.")]
        public bool NoDream { get; init; }

        [CommandOption("--style-sizes <LIST>")]
        [Description("Square sides at which to time style objective steps, comma-separated.")]
        [DefaultValue("512,1024")]
        public string StyleSizes { get; init; } = "512,1024";

        [CommandOption("--style-size <PX>")]
        [Description("Long side of the timed style transfer (cat photo, Starry Night).")]
        [DefaultValue(512)]
        public int StyleSize { get; init; } = 512;

        [CommandOption("--style-iterations <N>")]
        [Description("L-BFGS iterations of the timed style transfer (0: skip it).")]
        [DefaultValue(300)]
        public int StyleIterations { get; init; } = 300;

        [CommandOption("--no-style")]
        [Description("Skip the style section.")]
        public bool NoStyle { get; init; }

        public IReadOnlyList<int> StyleSizeList => ParseSizes(StyleSizes)!;

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (ParseSizes(Sizes) is null) return ValidationResult.Error($"--sizes must be sides between {DreamSettings.MinImageSide} and {DreamSettings.MaxImageSide}, for example 224,512,1024.");
            if (Repeats is < 0 or > 1000) return ValidationResult.Error("--repeats must be between 0 and 1000.");
            if (DreamSize is < DreamSettings.MinImageSide or > DreamSettings.MaxImageSide) return ValidationResult.Error("--dream-size is out of range.");
            if (ParseSizes(StyleSizes) is null) return ValidationResult.Error("--style-sizes must be sides such as 512,1024.");
            if (StyleSize is < DreamSettings.MinImageSide or > DreamSettings.MaxImageSide) return ValidationResult.Error("--style-size is out of range.");
            if (StyleIterations is < 0 or > StyleSettings.MaxIterations) return ValidationResult.Error($"--style-iterations must be between 0 and {StyleSettings.MaxIterations}.");
            return ValidationResult.Success();
        }

        public IReadOnlyList<int> SizeList => ParseSizes(Sizes)!;

        private static List<int>? ParseSizes(string text)
        {
            var sizes = new List<int>();
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ||
                    size < DreamSettings.MinImageSide || size > DreamSettings.MaxImageSide) return null;
                sizes.Add(size);
            }
            return sizes.Count == 0 ? null : sizes;
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var services = CliServices.Create(settings);
        var console = services.Console;
        var manifest = services.Graphs.GetManifest(settings.Model);
        var taps = TapOptions.Resolve(manifest, settings.Layers);
        var dream = new DreamParameters(taps);
        var gradientGraph = services.Graphs.GetGraph(manifest, dream.Objective());
        var featuresGraph = services.Graphs.GetGraph(manifest, new FeaturesObjective(taps.Select(t => t.Tap).ToList()));
        using var gradientLease = services.Sessions.Rent(gradientGraph.Path);
        using var featuresLease = services.Sessions.Rent(featuresGraph.Path);
        using var runner = new GradientRunner(gradientLease.Session);
        DreamGraphInputs.Set(runner, dream, guided: false);
        // The same graph split at its max-pool, the pool in managed code (CPU only): timed alternately with the one graph.
        using var split = PoolSplitSessions.TryRent(services.Graphs, services.Sessions, gradientGraph, PoolPlacement.Managed);
        using var splitRunner = split is null ? null : new GradientRunner(gradientLease.Session, split: split);
        if (splitRunner is not null) DreamGraphInputs.Set(splitRunner, dream, guided: false);
        var features = new FeatureExtractor(featuresLease.Session);
        var cost = ConvolutionCost.Of(manifest, taps.Select(t => t.Tap));
        var rate = await Task.Run(() => ConvolutionRate.Measure(services.Sessions, run => Measure(settings.Repeats, run)), cancellationToken);

        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"bench: {manifest.Name} {TapWeights.Format(taps)} on {services.DeviceName}, {Environment.ProcessorCount} logical CPUs, " +
            $"intra-op threads {(settings.Threads == 0 ? $"{CpuTopology.PhysicalCoreCount()} (one per physical core)" : settings.Threads)}, load average {LoadAverage()}")));

        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"convolutions run at {rate / 1e9:F1} GMAC/s here ({ConvolutionRate.Description}); a step's floor is its convolutions' multiply-adds at that rate")));

        var table = new Table().AddColumns("Size", "Gradient step (ms)", "Forward (ms)", "Step / forward", "Conv floor (ms)", "Step / floor", "Pool share", "Runs");
        foreach (var side in settings.SizeList)
        {
            var image = Pattern(side);
            Action Step(GradientRunner r) => () =>
            {
                var buffers = r.Buffers(side, side);
                image.Data.CopyTo(buffers.Input);
                r.Run(buffers, cancellationToken);
            };
            var (forwardMs, forwardRuns) = await Task.Run(() => Measure(settings.Repeats, () => features.Run(image, cancellationToken)), cancellationToken);
            var floorMs = cost.GradientStepMacs(side, side) / rate * 1000;
            string Row(string label, double stepMs, double poolMs) => string.Create(CultureInfo.InvariantCulture,
                $"  {side}px {label}: step {stepMs:F1} ms, forward {forwardMs:F1} ms, ratio {stepMs / forwardMs:F2}; convolution floor {floorMs:F1} ms, " +
                $"step / floor {stepMs / floorMs:F2}; max-pool and its backward {poolMs:F1} ms, {100 * poolMs / stepMs:F1}% of the step");
            void AddRow(string label, double stepMs, double poolMs, int runs) => table.AddRow(
                $"{side}x{side} {label}",
                stepMs.ToString("F1", CultureInfo.InvariantCulture),
                forwardMs.ToString("F1", CultureInfo.InvariantCulture),
                (stepMs / forwardMs).ToString("F2", CultureInfo.InvariantCulture),
                floorMs.ToString("F1", CultureInfo.InvariantCulture),
                (stepMs / floorMs).ToString("F2", CultureInfo.InvariantCulture),
                (poolMs / stepMs).ToString("P1", CultureInfo.InvariantCulture),
                $"{runs}/{forwardRuns}");

            if (splitRunner is null)
            {
                var (stepMs, stepRuns) = await Task.Run(() => Measure(settings.Repeats, Step(runner)), cancellationToken);
                table.AddRow($"{side}x{side}", stepMs.ToString("F1", CultureInfo.InvariantCulture), forwardMs.ToString("F1", CultureInfo.InvariantCulture),
                    (stepMs / forwardMs).ToString("F2", CultureInfo.InvariantCulture), floorMs.ToString("F1", CultureInfo.InvariantCulture),
                    (stepMs / floorMs).ToString("F2", CultureInfo.InvariantCulture), "n/a", $"{stepRuns}/{forwardRuns}");
                console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"  {side}px: step {stepMs:F1} ms, forward {forwardMs:F1} ms, ratio {stepMs / forwardMs:F2}; convolution floor {floorMs:F1} ms, step / floor {stepMs / floorMs:F2}")));
                continue;
            }

            // Before (the one graph) and after (the pool in managed code), alternated run by run.
            var poolBefore = splitRunner.ManagedPoolTime;
            var partsBefore = splitRunner.SplitPartTimes;
            var ((graphMs, managedMs), runs) = await Task.Run(() => MeasurePair(settings.Repeats, Step(runner), Step(splitRunner)), cancellationToken);
            var managedPoolMs = (splitRunner.ManagedPoolTime - poolBefore).TotalMilliseconds / (runs + 1);
            var graphPoolMs = await Task.Run(() => GraphPoolMilliseconds(services.Sessions, split!, splitRunner.Buffers(side, side), settings.Repeats), cancellationToken);
            AddRow("graph pool", graphMs, graphPoolMs, runs);
            AddRow("managed pool", managedMs, managedPoolMs, runs);
            console.MarkupLine(Markup.Escape(Row("pool in the graph (before)", graphMs, graphPoolMs)));
            console.MarkupLine(Markup.Escape(Row("managed pool (after)", managedMs, managedPoolMs)));
            var partsAfter = splitRunner.SplitPartTimes;
            var parts = string.Join(", ", partsAfter.Select(p => string.Create(CultureInfo.InvariantCulture,
                $"{p.Key} {(p.Value - partsBefore[p.Key]).TotalMilliseconds / (runs + 1):F1}")));
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"  {side}px: managed / graph step {managedMs / graphMs:F3} (medians of {runs} alternated pairs); split step parts, mean ms: {parts}")));
        }
        console.Write(table);

        if (!settings.NoDream) await BenchDreamAsync(services, settings, cost, rate, cancellationToken);
        if (!settings.NoStyle) await StyleBench.RunAsync(services, settings, run => Measure(settings.Repeats, run), cancellationToken);
        return 0;
    }

    private static async Task BenchDreamAsync(CliServices services, Settings settings, ConvolutionCost cost, double rate, CancellationToken cancellationToken)
    {
        var side = settings.DreamSize;
        using var pattern = BenchPattern.Create(side);
        var png = ImageWriter.Encode(pattern, RenderFormat.Png);
        var dreamSettings = new DreamSettings
        {
            Model = settings.Model,
            Layers = settings.Layers,
            Octaves = settings.DreamOctaves,
            Iterations = settings.DreamIterations,
            MaxSize = side,
            TileSize = settings.Tile,
            Seed = DreamSeed,
        };
        var engine = new DeepDreamEngine(services.Graphs, services.Sessions,
            new ImageLoader(new ImageLimits()), NullLogger<DeepDreamEngine>.Instance, services.EngineOptions);
        var manifest = services.Graphs.GetManifest(settings.Model);
        using var gradientLease = services.Sessions.Rent(services.Graphs.GetGraph(
            manifest, new DreamParameters(dreamSettings.Taps(manifest.Recommended.Dream)).Objective()).Path);
        var gradientSession = gradientLease.Session;
        var before = gradientSession.RunStatistics;
        var clock = Stopwatch.StartNew();
        var checkpoint = await engine.StartAsync(new ArtworkInputs(png, [], dreamSettings.ToJson()), cancellationToken);
        var startSeconds = clock.Elapsed.TotalSeconds;
        var octaveSeconds = new List<double>();
        while (!checkpoint.Progress.IsComplete)
        {
            var octaveClock = Stopwatch.StartNew();
            checkpoint = await engine.RunChunkAsync(checkpoint.State, int.MaxValue, cancellationToken: cancellationToken);
            octaveSeconds.Add(octaveClock.Elapsed.TotalSeconds);
        }
        var total = clock.Elapsed.TotalSeconds;
        var after = gradientSession.RunStatistics;
        var inGraph = (after.Time - before.Time).TotalSeconds;
        var sizes = engine.Inspect(checkpoint.State).OctaveSizes;
        var perOctave = string.Join(", ", octaveSeconds.Select((s, i) => FormattableString.Invariant($"{sizes[i].Width}px {s:F2} s")));
        services.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"DeepDream {side}x{side}, {dreamSettings.Octaves} octaves x {dreamSettings.Iterations} iterations (tile {dreamSettings.TileSize}, placement {settings.Placement}): " +
            $"{total:F2} s (start {startSeconds:F2} s; octaves {perOctave}); {after.Runs - before.Runs} gradient runs took {inGraph:F2} s, " +
            $"the engine's own work (roll, normalize, resize, checkpoints) {total - inGraph:F2} s ({100 * (total - inGraph) / total:F1}%)")));

        // The floor counts whole octaves; tiles (when the tile size is below the image) add their overlap on top.
        var dreamMacs = sizes.Sum(size => (double)cost.GradientStepMacs(size.Height, size.Width)) * dreamSettings.Iterations;
        var floorSeconds = dreamMacs / rate;
        services.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"DeepDream convolution floor: {dreamMacs / 1e12:F3} T multiply-adds at {rate / 1e9:F1} GMAC/s = {floorSeconds:F2} s; " +
            $"the dream took {total / floorSeconds:F2}x that, its gradient runs {inGraph / floorSeconds:F2}x")));
    }

    /// <summary>
    /// Runs each once to warm up, then times them alternately (a, b, a, b, ...) so both see the same
    /// load; returns both medians in ms and the number of pairs.
    /// </summary>
    private static ((double A, double B) Milliseconds, int Runs) MeasurePair(int repeats, Action a, Action b)
    {
        var warm = Stopwatch.StartNew();
        a();
        b();
        var warmMs = warm.Elapsed.TotalMilliseconds / 2;
        var count = repeats > 0 ? repeats : Math.Clamp((int)Math.Ceiling(TargetMeasureMilliseconds / Math.Max(warmMs, 1)), MinRepeats, MaxRepeats);
        var timesA = new double[count];
        var timesB = new double[count];
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            a();
            timesA[i] = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            b();
            timesB[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(timesA);
        Array.Sort(timesB);
        return ((timesA[count / 2], timesB[count / 2]), count);
    }

    /// <summary>
    /// What the pool and its backward cost inside ONNX Runtime at this size: the same two ops
    /// (<c>MaxPool</c> with indices, <c>ScatterElements</c> add) alone in a graph, on an input of the
    /// pool input's shape, in a session with the same options; median ms.
    /// </summary>
    private static double GraphPoolMilliseconds(OnnxSessionPool sessions, PoolSplitSessions split, GradientBuffers buffers, int repeats)
    {
        var shape = buffers.PoolInputShape?.ToArray() ?? throw new InvalidOperationException("The pool-split step has not run at this size.");
        using var lease = sessions.RentBuilt($"maxpool-probe:{split.Pool.Format()}:{shape[1]}",
            () => MaxPoolProbe.Build(split.Pool, shape[1]).ToByteArray());
        var values = new float[shape.Aggregate(1L, (p, d) => p * d)];
        var random = new Random(1);
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        using var input = OrtValue.CreateTensorValueFromMemory(values, shape);
        using var runOptions = new RunOptions();
        return Measure(repeats, () =>
        {
            using var outputs = lease.Session.Session.Run(runOptions, [MaxPoolProbe.InputName], [input], [MaxPoolProbe.OutputName]);
        }).Milliseconds;
    }

    /// <summary>Runs once to warm up, then times runs; returns the median in ms and the run count.</summary>
    private static (double Milliseconds, int Runs) Measure(int repeats, Action run)
    {
        var warm = Stopwatch.StartNew();
        run();
        var warmMs = warm.Elapsed.TotalMilliseconds;
        var count = repeats > 0 ? repeats : Math.Clamp((int)Math.Ceiling(TargetMeasureMilliseconds / Math.Max(warmMs, 1)), MinRepeats, MaxRepeats);
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[count / 2], count);
    }

    private static ImageTensor Pattern(int side)
    {
        using var image = BenchPattern.Create(side);
        return image.ToTensor();
    }

    private static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
