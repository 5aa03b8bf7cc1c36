using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Cli.Diagnostics;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Cli.Rendering;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart doctor</c>: what this machine can run. Prints the execution providers ONNX Runtime
/// was built with, whether the CUDA provider loads (and if not, which native libraries are
/// missing), the model cache, and a one-step smoke run of a compiled gradient graph with its time.
/// Exit code 2 with <c>--require-cuda</c> when CUDA is not usable; otherwise 0 when the smoke run
/// passed and 1 when it failed.
/// </summary>
public sealed class DoctorCommand : AsyncCommand<DoctorCommand.Settings>
{
    public const int ExitSmokeFailed = 1;
    public const int ExitCudaUnavailable = 2;

    public sealed class Settings : RuntimeSettings
    {
        [CommandOption("--device-id <ID>")]
        [Description("CUDA device ordinal.")]
        [DefaultValue(0)]
        public int DeviceId { get; init; }

        [CommandOption("--size <PX>")]
        [Description("Side of the square smoke-run image, in pixels.")]
        [DefaultValue(DefaultSmokeSide)]
        public int Size { get; init; } = DefaultSmokeSide;

        [CommandOption("--require-cuda")]
        [Description("Exit with code 2 unless the CUDA provider loads and runs the smoke step.")]
        public bool RequireCuda { get; init; }

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (Size is < MinSmokeSide or > MaxSmokeSide)
                return ValidationResult.Error($"--size must be between {MinSmokeSide} and {MaxSmokeSide}.");
            if (DeviceId < 0) return ValidationResult.Error("--device-id must not be negative.");
            return ValidationResult.Success();
        }

        public OnnxRuntimeOptions DoctorRuntimeOptions()
        {
            var options = RuntimeOptions();
            options.DeviceId = DeviceId;
            // Warnings include ONNX Runtime's note that some nodes were not assigned to CUDA, which
            // is how a CPU fallback of an operator shows up on a GPU machine.
            options.LogSeverity = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING;
            return options;
        }
    }

    private const int DefaultSmokeSide = 224;
    private const int MinSmokeSide = 32;
    private const int MaxSmokeSide = 4096;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        using var loggerFactory = LoggerFactory.Create(builder =>
        {
            builder.ClearProviders();
            builder.AddProvider(new ConsoleLoggerProvider(console, LogLevel.Information));
        });
        var logger = loggerFactory.CreateLogger<DoctorCommand>();

        WriteRuntime(console);
        WriteProviders(console);
        var libraries = WriteCudaLibraries(console);
        var cudaLoadError = WriteCudaProviderLoad(console, settings.DeviceId);
        var catalog = WriteModelCache(console, settings);
        var smoke = catalog is null
            ? SmokeResult.Failed(settings.Provider, "no models folder")
            : await Task.Run(() => RunSmoke(catalog, settings, logger), cancellationToken);
        WriteSmoke(console, smoke);

        var cudaUsable = cudaLoadError is null && smoke.Succeeded && smoke.Device == "cuda";
        console.MarkupLine(cudaUsable
            ? "[green]CUDA is usable.[/]"
            : $"[yellow]CUDA is not usable here: {Markup.Escape(CudaSummary(cudaLoadError, libraries, smoke))} (with provider auto, jobs run on the CPU).[/]");
        if (settings.RequireCuda && !cudaUsable) return ExitCudaUnavailable;
        return smoke.Succeeded ? 0 : ExitSmokeFailed;
    }

    private static void WriteRuntime(IAnsiConsole console)
    {
        var table = new Table().Title("Runtime").AddColumns("", "");
        table.AddRow("OS", Markup.Escape($"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})"));
        table.AddRow(".NET", Markup.Escape(RuntimeInformation.FrameworkDescription));
        table.AddRow("ONNX Runtime", Markup.Escape(OrtEnv.Instance().GetVersionString()));
        table.AddRow("App folder", Markup.Escape(AppContext.BaseDirectory));
        table.AddRow("LD_LIBRARY_PATH", Markup.Escape(Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "(not set)"));
        console.Write(table);
    }

    private static void WriteProviders(IAnsiConsole console)
    {
        // The providers this build of ONNX Runtime contains; a listed provider may still fail to load.
        var providers = OrtEnv.Instance().GetAvailableProviders();
        console.MarkupLine($"[bold]Providers built in:[/] {Markup.Escape(string.Join(", ", providers))}");
    }

    private static IReadOnlyList<CudaLibraryStatus> WriteCudaLibraries(IAnsiConsole console)
    {
        var statuses = CudaLibraryProbe.ProbeAll();
        var table = new Table().Title("Native libraries of the CUDA provider").AddColumns("Library", "Status", "Loaded from, or where to get it");
        foreach (var s in statuses)
        {
            var status = s.Loaded ? "[green]found[/]" : s.Library.Required ? "[red]missing[/]" : "[yellow]missing, optional[/]";
            var detail = s.Loaded ? s.Path ?? "(loaded)" : $"{s.Error}: {s.Library.Source}";
            table.AddRow(Markup.Escape(s.Library.Name), status, Markup.Escape(detail));
        }
        console.Write(table);
        return statuses;
    }

    /// <summary>Appends the CUDA provider to session options, which loads its shared library.</summary>
    private static string? WriteCudaProviderLoad(IAnsiConsole console, int deviceId)
    {
        string? error = null;
        try
        {
            // The options form (as the engine's session pool uses) reports which library failed.
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = deviceId.ToString(CultureInfo.InvariantCulture) });
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(cuda);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            error = LoadError(ex.Message);
        }
        console.MarkupLine(error is null
            ? $"[bold]CUDA provider:[/] [green]loads[/] (device {deviceId})"
            : $"[bold]CUDA provider:[/] [red]does not load[/]: {Markup.Escape(error)}");
        return error;
    }

    private static ModelCatalog? WriteModelCache(IAnsiConsole console, Settings settings)
    {
        ModelCatalog catalog;
        try
        {
            catalog = ModelCatalog.Locate(settings.ModelsDirectory);
        }
        catch (GraphCompilationException ex)
        {
            console.MarkupLine($"[bold]Models:[/] [red]{Markup.Escape(ex.Message)}[/]");
            return null;
        }
        var table = new Table().Title($"Model cache: {Markup.Escape(catalog.Directory)}").AddColumns("File", "Size");
        foreach (var name in catalog.Names) table.AddRow(Markup.Escape(name + ".json"), "manifest");
        var compiled = Directory.Exists(catalog.CacheDirectory)
            ? Directory.GetFiles(catalog.CacheDirectory, "*.onnx").Order(StringComparer.Ordinal).ToList()
            : [];
        foreach (var file in compiled)
            table.AddRow(Markup.Escape(Path.GetRelativePath(catalog.Directory, file)), $"{new FileInfo(file).Length / (1024.0 * 1024.0):F1} MiB");
        if (compiled.Count == 0) table.AddRow("compiled/", "[yellow]empty: graphs compile on first use (neuralart models compile)[/]");
        console.Write(table);
        return catalog;
    }

    private static SmokeResult RunSmoke(ModelCatalog catalog, Settings settings, ILogger logger)
    {
        var options = settings.DoctorRuntimeOptions();
        var result = SmokeRun.Run(catalog, settings.Model, settings.Size, options, logger);
        // auto picks CUDA when its provider loads; if the step then fails on the device (no GPU,
        // driver too old), say so and show that the CPU path works, as a job would need it to.
        if (!result.Succeeded && result.Device == "cuda" && options.ExecutionProvider == ExecutionProviderPreference.Auto)
        {
            var cpuOptions = settings.DoctorRuntimeOptions();
            cpuOptions.ExecutionProvider = ExecutionProviderPreference.Cpu;
            var cpu = SmokeRun.Run(catalog, settings.Model, settings.Size, cpuOptions, logger);
            return cpu with { Note = $"the CUDA step failed ({result.Error}); ran on the CPU instead" };
        }
        return result;
    }

    private static void WriteSmoke(IAnsiConsole console, SmokeResult smoke)
    {
        var table = new Table().Title("Smoke run: one gradient step").AddColumns("", "");
        table.AddRow("Device", Markup.Escape(smoke.Device));
        table.AddRow("Result", smoke.Succeeded ? "[green]passed[/]" : $"[red]failed: {Markup.Escape(smoke.Error ?? "")}[/]");
        if (smoke.Succeeded)
        {
            table.AddRow("Graph", Markup.Escape(smoke.Graph ?? ""));
            table.AddRow("Image", $"{smoke.Side}x{smoke.Side}");
            table.AddRow("Session", $"{smoke.SessionMilliseconds:F0} ms (load + optimize)");
            table.AddRow("First step", $"{smoke.FirstStepMilliseconds:F1} ms (includes warm-up)");
            table.AddRow("Second step", $"{smoke.SecondStepMilliseconds:F1} ms");
            table.AddRow("Loss", smoke.Loss.ToString("G6", CultureInfo.InvariantCulture));
            table.AddRow("max |grad|", smoke.MaxAbsGradient.ToString("G6", CultureInfo.InvariantCulture));
        }
        if (smoke.Note is not null) table.AddRow("Note", $"[yellow]{Markup.Escape(smoke.Note)}[/]");
        console.Write(table);
    }

    private static string CudaSummary(string? loadError, IReadOnlyList<CudaLibraryStatus> libraries, SmokeResult smoke)
    {
        var missing = libraries.Where(l => !l.Loaded && l.Library.Required).Select(l => l.Library.Name).ToList();
        if (missing.Count > 0) return "missing " + string.Join(", ", missing);
        if (loadError is not null) return loadError;
        return smoke.Note ?? smoke.Error ?? $"the smoke step ran on {smoke.Device}";
    }

    /// <summary>ONNX Runtime's load errors carry the loader's message after "error:"; keep that part.</summary>
    private static string LoadError(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        var marker = line.LastIndexOf("error:", StringComparison.OrdinalIgnoreCase);
        return marker >= 0 ? line[(marker + "error:".Length)..].Trim() : line;
    }
}
