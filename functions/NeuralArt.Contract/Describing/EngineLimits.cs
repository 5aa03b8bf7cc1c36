namespace NeuralArt.Contract;

/// <summary>
/// The host's caps that an engine's plan applies to its own parameters: a request may ask for less,
/// never more. Set by the host (the pipeline's options), never by a request.
/// </summary>
public sealed record EngineLimits
{
    public const long DefaultMaxWorkingPixels = 4096L * 4096;
    public const int DefaultMaxIterations = 10_000;
    public const int DefaultOptimizerMemoryMb = 2048;
    public const long DefaultMaxCheckpointBytes = 512L * 1024 * 1024;
    public const int DefaultMaxFrames = 600;
    public const int DefaultMaxVideoFrames = 1800;
    public const double DefaultMaxVideoSeconds = 60;

    /// <summary>Largest image (width x height) an engine works on, after any upscaling.</summary>
    public long MaxWorkingPixels { get; init; } = DefaultMaxWorkingPixels;

    /// <summary>Most iterations of one job, over all its stages.</summary>
    public int MaxIterations { get; init; } = DefaultMaxIterations;

    /// <summary>Most memory an optimizer may hold for its vectors (L-BFGS history), in MiB.</summary>
    public int OptimizerMemoryMb { get; init; } = DefaultOptimizerMemoryMb;

    /// <summary>Largest checkpoint a job may write (its state between chunks).</summary>
    public long MaxCheckpointBytes { get; init; } = DefaultMaxCheckpointBytes;

    /// <summary>Most frames one job of a sequence engine may make.</summary>
    public int MaxFrames { get; init; } = DefaultMaxFrames;

    /// <summary>Most frames an input video may have (its header's count, before any sampling).</summary>
    public int MaxVideoFrames { get; init; } = DefaultMaxVideoFrames;

    /// <summary>Longest input video, in seconds.</summary>
    public double MaxVideoSeconds { get; init; } = DefaultMaxVideoSeconds;

    /// <summary>
    /// No host cap at all: a descriptor under these limits states only the engine's own ranges. An
    /// engine's start checks against it, since the door already applied the host's caps (which a host
    /// may set above the defaults) and the CLI has none.
    /// </summary>
    public static EngineLimits Unbounded { get; } = new()
    {
        MaxWorkingPixels = long.MaxValue,
        MaxIterations = int.MaxValue,
        OptimizerMemoryMb = int.MaxValue,
        MaxCheckpointBytes = long.MaxValue,
        MaxFrames = int.MaxValue,
        MaxVideoFrames = int.MaxValue,
        MaxVideoSeconds = double.MaxValue,
    };
}
