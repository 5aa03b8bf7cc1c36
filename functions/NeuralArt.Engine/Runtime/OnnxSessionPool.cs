using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace NeuralArt.Engine.Runtime;

/// <summary>The configured execution provider cannot run here (for example CUDA without its libraries).</summary>
public sealed class ExecutionProviderUnavailableException(string message) : InvalidOperationException(message);

/// <summary>
/// One ONNX Runtime session per compiled graph per process: created on first use, kept and reused
/// (register the pool as a singleton). The execution provider is decided once, on the first
/// session: with <see cref="ExecutionProviderPreference.Auto"/> CUDA is tried and, if its provider
/// or libraries do not load, every session uses the CPU; one log line says which and why.
/// </summary>
public sealed class OnnxSessionPool : IDisposable
{
    private const string CudaProviderName = "CUDAExecutionProvider";
    private const string AllowSpinningKey = "session.intra_op.allow_spinning";

    private readonly OnnxRuntimeOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<OnnxSession>> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _deviceLock = new();
    private ExecutionDevice? _device;
    private bool _disposed;

    public OnnxSessionPool(IOptions<OnnxRuntimeOptions> options, ILogger<OnnxSessionPool>? logger = null)
        : this(options.Value, logger) { }

    public OnnxSessionPool(OnnxRuntimeOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new OnnxRuntimeOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    public OnnxRuntimeOptions Options => _options;

    /// <summary>The device sessions run on, once the first session exists.</summary>
    public ExecutionDevice? Device => _device;

    /// <summary>Why CUDA is not used, when <see cref="ExecutionProviderPreference.Auto"/> fell back to the CPU.</summary>
    public string? FallbackReason { get; private set; }

    /// <summary>The cached session for the graph at <paramref name="modelPath"/>, created on first use.</summary>
    public OnnxSession Get(string modelPath)
    {
        var key = Path.GetFullPath(modelPath);
        return GetOrCreate(key, () =>
        {
            if (!File.Exists(key)) throw new FileNotFoundException($"Compiled graph '{key}' does not exist.", key);
            return key;
        });
    }

    /// <summary>
    /// The cached session for an in-memory model (built once by <paramref name="build"/>), under a
    /// key that must not collide with graph paths, for example <c>step:roll</c>.
    /// </summary>
    public OnnxSession GetBuilt(string key, Func<byte[]> build) => GetOrCreate("built:" + key, () => build());

    /// <param name="source">Returns the model's path (string) or bytes (byte[]).</param>
    private OnnxSession GetOrCreate(string key, Func<object> source)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lazy = _sessions.GetOrAdd(key, k => new Lazy<OnnxSession>(() => Create(k, source()), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Do not cache failures (a graph being written by another process may load next time).
            _sessions.TryRemove(new KeyValuePair<string, Lazy<OnnxSession>>(key, lazy));
            throw;
        }
    }

    private OnnxSession Create(string key, object source)
    {
        var device = DecideDevice();
        using var options = CreateSessionOptions(device);
        var session = source is byte[] bytes ? new InferenceSession(bytes, options) : new InferenceSession((string)source, options);
        return new OnnxSession(key, session, device, _options.DeviceId);
    }

    private ExecutionDevice DecideDevice()
    {
        lock (_deviceLock)
        {
            if (_device is { } known) return known;
            var device = _options.ExecutionProvider switch
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
        _logger.LogInformation("ONNX Runtime {Version}: using the {Device} execution provider ({Why}).",
            OrtEnv.Instance().GetVersionString(), device == ExecutionDevice.Cuda ? $"CUDA (device {_options.DeviceId})" : "CPU", why);
        return device;
    }

    private ExecutionDevice LogFallback(string reason)
    {
        FallbackReason = reason;
        _logger.LogInformation("ONNX Runtime {Version}: using the CPU execution provider (auto: CUDA unavailable: {Reason}).",
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

    private SessionOptions CreateSessionOptions(ExecutionDevice device)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = _options.GraphOptimizationLevel,
            LogSeverityLevel = _options.LogSeverity,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (_options.IntraOpThreads > 0) options.IntraOpNumThreads = _options.IntraOpThreads;
        options.AddSessionConfigEntry(AllowSpinningKey, _options.AllowSpinning ? "1" : "0");
        if (device == ExecutionDevice.Cuda) AppendCuda(options);
        return options;
    }

    private void AppendCuda(SessionOptions options)
    {
        using var cuda = new OrtCUDAProviderOptions();
        var settings = new Dictionary<string, string>
        {
            ["device_id"] = _options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = _options.CudnnConvAlgoSearch,
            ["arena_extend_strategy"] = _options.CudaArenaExtendStrategy,
            // Our graphs' inputs and outputs are copied on the compute stream: no extra sync.
            ["do_copy_in_default_stream"] = "1",
            // Let cuDNN use the workspace its fastest algorithms need (backward convolutions).
            ["cudnn_conv_use_max_workspace"] = "1",
        };
        if (_options.CudaMemoryLimitBytes > 0)
        {
            settings["gpu_mem_limit"] = _options.CudaMemoryLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        cuda.UpdateOptions(settings);
        options.AppendExecutionProvider_CUDA(cuda);
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

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var lazy in _sessions.Values)
        {
            if (lazy.IsValueCreated) lazy.Value.Session.Dispose();
        }
        _sessions.Clear();
    }
}
