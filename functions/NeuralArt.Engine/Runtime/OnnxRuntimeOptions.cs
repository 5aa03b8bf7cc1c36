using Microsoft.ML.OnnxRuntime;

namespace NeuralArt.Engine.Runtime;

/// <summary>Which ONNX Runtime execution provider sessions use.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when its provider and libraries load, else CPU (logged once with the reason).</summary>
    Auto,
    /// <summary>CUDA or fail: for hosts where running on the CPU would be a misconfiguration.</summary>
    Cuda,
    /// <summary>CPU only.</summary>
    Cpu,
}

/// <summary>
/// How ONNX Runtime sessions are created. Bound from the <c>NeuralArt:Engine</c> configuration
/// section (app settings <c>NeuralArt__Engine__ExecutionProvider</c>, <c>NeuralArt__Engine__DeviceId</c>).
/// </summary>
public sealed class OnnxRuntimeOptions
{
    public const string SectionName = EngineOptions.SectionName;

    /// <summary>
    /// Default for <see cref="MaxSessions"/>: a dream uses up to four graphs (gradient, guide
    /// features, roll, ascend) and a style job four more per set of taps, so 16 keeps a few jobs'
    /// graphs warm; each session holds the backbone's weights and, on CUDA, its own memory arena.
    /// </summary>
    public const int DefaultMaxSessions = 16;

    /// <summary>
    /// Sessions the pool keeps loaded (<c>NeuralArt__Engine__MaxSessions</c>); past it the least
    /// recently used idle one is disposed. Bounds memory whatever graphs requests ask for.
    /// </summary>
    public int MaxSessions { get; set; } = DefaultMaxSessions;

    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    /// <summary>
    /// Threads for one operator; 0: one per physical core this process may use
    /// (<see cref="CpuTopology.PhysicalCoreCount()"/>), passed to ONNX Runtime explicitly because its
    /// own default picked a single thread on 2-core VMs.
    /// </summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Whether idle intra-op threads spin waiting for work. Spinning shaves latency on a dedicated
    /// machine; on a shared or oversubscribed one it burns cores other processes need.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// Whether a session's intra-op threads stop spinning when its run ends (ONNX Runtime's
    /// <c>session.force_spinning_stop</c>; they spin within a run as <see cref="AllowSpinning"/>
    /// says). Each session has its own threads, so without this the threads of one session spin on
    /// (for milliseconds) through whatever runs next: the managed max-pool and the next session of a
    /// pool-split step (<see cref="PoolSplitSessions"/>) then share the cores with them.
    /// </summary>
    public bool StopSpinningAfterRun { get; set; } = true;

    /// <summary>
    /// Graph optimizations. ALL (the default) fuses Conv+Relu and picks NCHWc layouts on CPU, about
    /// 1.5x faster than BASIC for our gradient graphs.
    /// </summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// ONNX Runtime's memory pattern: after a run at a new input shape, the next run at that shape
    /// allocates one block planned for all intermediate tensors. Our graphs run at a new size every
    /// octave, scale and tile, and that planned block is fresh memory each time: the second step at
    /// each octave size took twice as long (1.5-2.2 s instead of 0.8 s at 1024x809 on this 2-core VM,
    /// where page faults are expensive), about 1-2 s per 4-octave dream. Without it the arena
    /// reuses its freed chunks, and steady-state steps are as fast (measured in one run). Off by default.
    /// </summary>
    public bool EnableMemoryPattern { get; set; }

    /// <summary>
    /// Whether CPU sessions share one process-wide memory arena (ONNX Runtime's environment
    /// allocator, <c>session.use_env_allocators</c>) instead of one arena each. A pool-split dream
    /// step runs three sessions in turn; with an arena each, every one kept its own peak, and a
    /// 1024x809 dream peaked at 860-870 MiB against 650 shared (the one-graph step: 619), with a
    /// quarter fewer page faults. Arenas never shrink: shared, the process keeps the largest step's
    /// memory rather than every cached session's. On by default.
    /// </summary>
    public bool ShareCpuArena { get; set; } = true;

    /// <summary>CUDA device ordinal.</summary>
    public int DeviceId { get; set; }

    /// <summary>
    /// cuDNN convolution algorithm search: <c>EXHAUSTIVE</c> (benchmark once per shape, fastest for the
    /// many iterations at one size we run), <c>HEURISTIC</c> or <c>DEFAULT</c>.
    /// </summary>
    public string CudnnConvAlgoSearch { get; set; } = "EXHAUSTIVE";

    /// <summary>
    /// CUDA arena growth: <c>kSameAsRequested</c> keeps the footprint near what the largest image
    /// needs, instead of doubling (<c>kNextPowerOfTwo</c>).
    /// </summary>
    public string CudaArenaExtendStrategy { get; set; } = "kSameAsRequested";

    /// <summary>Upper bound for the CUDA arena in bytes; 0 means no limit.</summary>
    public long CudaMemoryLimitBytes { get; set; }

    /// <summary>ONNX Runtime's own log threshold (its warnings about node placement are noise in a CLI).</summary>
    public OrtLoggingLevel LogSeverity { get; set; } = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;

    /// <summary>Parses <c>auto</c>, <c>cuda</c> or <c>cpu</c> (any case).</summary>
    public static bool TryParseProvider(string? text, out ExecutionProviderPreference provider)
    {
        provider = ExecutionProviderPreference.Auto;
        if (string.IsNullOrWhiteSpace(text)) return false;
        return Enum.TryParse(text.Trim(), ignoreCase: true, out provider) && Enum.IsDefined(provider);
    }
}
