using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// Which execution provider a process's sessions run on, decided once (on the first session), and the
/// session options for it: threads, spinning, memory pattern and the CUDA provider's settings. With
/// <see cref="ExecutionProviderPreference.Auto"/> CUDA is tried and, if its provider or libraries do
/// not load, every session uses the CPU; one log line says which and why. Kept apart from
/// <see cref="OnnxSessionPool"/>, whose concern is how many sessions live and for how long.
/// </summary>
internal sealed class ExecutionProviders(OnnxRuntimeOptions runtime, ILogger logger)
{
    private const string CudaProviderName = "CUDAExecutionProvider";
    private const string AllowSpinningKey = "session.intra_op.allow_spinning";
    private const string ForceSpinningStopKey = "session.force_spinning_stop";
    private const string UseEnvironmentAllocatorsKey = "session.use_env_allocators";

    /// <summary>What <see cref="OrtArenaCfg"/> reads as "ONNX Runtime's default" for a setting.</summary>
    private const int OrtArenaDefault = -1;

    private readonly Lock _deviceLock = new();
    private ExecutionDevice? _device;

    /// <summary>The device sessions run on, once decided.</summary>
    public ExecutionDevice? Device => _device;

    /// <summary>Why CUDA is not used, when <see cref="ExecutionProviderPreference.Auto"/> fell back to the CPU.</summary>
    public string? FallbackReason { get; private set; }

    public ExecutionDevice Decide()
    {
        lock (_deviceLock)
        {
            if (_device is { } known) return known;
            var device = runtime.ExecutionProvider switch
            {
                ExecutionProviderPreference.Cpu => LogChoice(ExecutionDevice.Cpu, "as configured"),
                ExecutionProviderPreference.Cuda => TryCuda(out var reason)
                    ? LogChoice(ExecutionDevice.Cuda, "as configured")
                    : throw new ExecutionProviderUnavailableException($"The CUDA execution provider was requested but cannot be used: {reason}"),
                _ => TryCuda(out var reason)
                    ? LogChoice(ExecutionDevice.Cuda, "auto: the CUDA provider loaded")
                    : LogFallback(reason),
            };
            _device = device;
            return device;
        }
    }

    private ExecutionDevice LogChoice(ExecutionDevice device, string why)
    {
        logger.LogInformation("ONNX Runtime {Version}: using the {Device} execution provider ({Why}).",
            OrtEnv.Instance().GetVersionString(), device == ExecutionDevice.Cuda ? $"CUDA (device {runtime.DeviceId})" : "CPU", why);
        return device;
    }

    private ExecutionDevice LogFallback(string reason)
    {
        FallbackReason = reason;
        logger.LogInformation("ONNX Runtime {Version}: using the CPU execution provider (auto: CUDA unavailable: {Reason}).",
            OrtEnv.Instance().GetVersionString(), reason);
        return ExecutionDevice.Cpu;
    }

    /// <summary>Loads the CUDA provider into throwaway session options to see whether it works here.</summary>
    private bool TryCuda(out string reason)
    {
        if (!OrtEnv.Instance().GetAvailableProviders().Contains(CudaProviderName))
        {
            reason = "this ONNX Runtime build has no CUDA provider";
            return false;
        }
        try
        {
            using var probe = new SessionOptions();
            AppendCuda(probe);
            reason = "";
            return true;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            reason = Summarize(ex.Message);
            return false;
        }
    }

    /// <summary>
    /// The CPU arena registered once in ONNX Runtime's process-wide environment, for sessions that
    /// share it (<see cref="OnnxRuntimeOptions.ShareCpuArena"/>); false if it could not be registered
    /// (sessions then keep arenas of their own).
    /// </summary>
    private static readonly Lazy<bool> SharedCpuArena = new(() =>
    {
        try
        {
            using var info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
            // ONNX Runtime's defaults for every setting: no limit, next-power-of-two growth.
            using var arena = new OrtArenaCfg(0, OrtArenaDefault, OrtArenaDefault, OrtArenaDefault);
            OrtEnv.Instance().CreateAndRegisterAllocator(info, arena);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    });

    public SessionOptions CreateSessionOptions(ExecutionDevice device)
    {
        var session = new SessionOptions
        {
            GraphOptimizationLevel = runtime.GraphOptimizationLevel,
            LogSeverityLevel = runtime.LogSeverity,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableMemoryPattern = runtime.EnableMemoryPattern,
        };
        session.IntraOpNumThreads = runtime.IntraOpThreads > 0 ? runtime.IntraOpThreads : CpuTopology.PhysicalCoreCount();
        session.AddSessionConfigEntry(AllowSpinningKey, runtime.AllowSpinning ? "1" : "0");
        if (runtime.StopSpinningAfterRun) session.AddSessionConfigEntry(ForceSpinningStopKey, "1");
        if (device == ExecutionDevice.Cuda) AppendCuda(session);
        if (device == ExecutionDevice.Cpu && runtime.ShareCpuArena && SharedCpuArena.Value)
        {
            session.AddSessionConfigEntry(UseEnvironmentAllocatorsKey, "1");
        }
        return session;
    }

    private void AppendCuda(SessionOptions session)
    {
        using var cuda = new OrtCUDAProviderOptions();
        var settings = new Dictionary<string, string>
        {
            ["device_id"] = runtime.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = runtime.CudnnConvAlgoSearch,
            ["arena_extend_strategy"] = runtime.CudaArenaExtendStrategy,
            // Our graphs' inputs and outputs are copied on the compute stream: no extra sync.
            ["do_copy_in_default_stream"] = "1",
            // Let cuDNN use the workspace its fastest algorithms need (backward convolutions).
            ["cudnn_conv_use_max_workspace"] = "1",
        };
        if (runtime.CudaMemoryLimitBytes > 0)
        {
            settings["gpu_mem_limit"] = runtime.CudaMemoryLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        cuda.UpdateOptions(settings);
        session.AppendExecutionProvider_CUDA(cuda);
    }

    /// <summary>ONNX Runtime's load errors are long; keep the part that names the missing library.</summary>
    private static string Summarize(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        var marker = line.IndexOf("error:", StringComparison.OrdinalIgnoreCase);
        if (marker >= 0) line = line[(marker + "error:".Length)..].Trim();
        const int maxLength = 240;
        return line.Length > maxLength ? line[..maxLength] + "..." : line;
    }
}
