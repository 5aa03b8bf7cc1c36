using System.ComponentModel;
using NeuralArt.Engine;
using NeuralArt.Engine.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>Options every command that runs graphs shares: provider, threads, models folder.</summary>
public abstract class RuntimeSettings : CommandSettings
{
    [CommandOption("--provider <PROVIDER>")]
    [Description("Execution provider: auto (CUDA if it loads, else CPU), cuda or cpu.")]
    [DefaultValue("auto")]
    public string Provider { get; init; } = "auto";

    [CommandOption("--threads <N>")]
    [Description("Threads per operator on the CPU (0: one per physical core).")]
    [DefaultValue(0)]
    public int Threads { get; init; }

    [CommandOption("--no-spin")]
    [Description("Idle CPU threads sleep instead of spinning (kinder on a shared machine).")]
    public bool NoSpin { get; init; }

    [CommandOption("--keep-spinning")]
    [Description("A session's idle threads keep spinning after its run ends (ONNX Runtime's default; by default they stop).")]
    public bool KeepSpinning { get; init; }

    [CommandOption("--placement <WHERE>")]
    [Description("Where untiled dream steps do their pixel math: auto (device on CUDA, host on CPU), host or device.")]
    [DefaultValue("auto")]
    public string Placement { get; init; } = "auto";

    [CommandOption("--pool <WHERE>")]
    [Description("Where gradient steps run the first max-pool and its backward: auto (managed on the CPU), graph (inside the ONNX graph) or managed (multi-threaded C# between the split graph's sessions; CPU only).")]
    [DefaultValue("auto")]
    public string Pool { get; init; } = "auto";

    [CommandOption("--models <DIR>")]
    [Description("Models folder (default: NEURALART_MODELS, else the nearest models/ folder).")]
    public string? ModelsDirectory { get; init; }

    [CommandOption("--model <NAME>")]
    [Description("Backbone manifest in the models folder.")]
    [DefaultValue("resnet18")]
    public string Model { get; init; } = "resnet18";

    public override ValidationResult Validate()
    {
        if (!OnnxRuntimeOptions.TryParseProvider(Provider, out _))
            return ValidationResult.Error($"--provider must be auto, cuda or cpu (got '{Provider}').");
        if (Threads < 0) return ValidationResult.Error("--threads must not be negative.");
        if (!Enum.TryParse<StepPlacement>(Placement, ignoreCase: true, out var placement) || !Enum.IsDefined(placement))
            return ValidationResult.Error($"--placement must be auto, host or device (got '{Placement}').");
        if (!Enum.TryParse<PoolPlacement>(Pool, ignoreCase: true, out var pool) || !Enum.IsDefined(pool))
            return ValidationResult.Error($"--pool must be auto, graph or managed (got '{Pool}').");
        return ValidationResult.Success();
    }

    public EngineOptions EngineOptions() => new()
    {
        Model = Model,
        ModelsDirectory = ModelsDirectory,
        StepPlacement = Enum.Parse<StepPlacement>(Placement, ignoreCase: true),
        PoolPlacement = Enum.Parse<PoolPlacement>(Pool, ignoreCase: true),
    };

    public OnnxRuntimeOptions RuntimeOptions()
    {
        OnnxRuntimeOptions.TryParseProvider(Provider, out var provider);
        return new OnnxRuntimeOptions { ExecutionProvider = provider, IntraOpThreads = Threads, AllowSpinning = !NoSpin, StopSpinningAfterRun = !KeepSpinning };
    }
}
