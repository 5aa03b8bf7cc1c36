using NeuralArt.Contract;

namespace NeuralArt.Pipeline.Admission;

/// <summary>
/// The host's caps on jobs (section <c>NeuralArt:Limits</c>; Bicep parameters in Azure). A request
/// may ask for less than a cap, never more: parameters above a cap are refused at the door, and a
/// job whose predicted cost is above a cap is refused with 413 before any work starts.
/// </summary>
public sealed class JobLimitsOptions
{
    public const string SectionName = "NeuralArt:Limits";

    /// <summary>
    /// Most convolution multiply-adds one job may cost (its plan's prediction). 2e14 is about half
    /// an hour of this project's 2-core CI machine (~100 G/s) and a minute or two of a data-centre GPU.
    /// </summary>
    public double MaxMultiplyAdds { get; set; } = 2e14;

    /// <summary>Most memory a job's plan may predict for its worker.</summary>
    public long MaxPeakMemoryBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Largest working image (width x height) after any upscaling.</summary>
    public long MaxWorkingPixels { get; set; } = EngineLimits.DefaultMaxWorkingPixels;

    /// <summary>Most iterations of one job over all its stages.</summary>
    public int MaxIterations { get; set; } = EngineLimits.DefaultMaxIterations;

    /// <summary>Most memory an optimizer may hold, in MiB (a request's <c>optimizerMemoryMb</c> can only lower it).</summary>
    public int OptimizerMemoryMb { get; set; } = EngineLimits.DefaultOptimizerMemoryMb;

    /// <summary>Largest checkpoint a job may write.</summary>
    public long MaxCheckpointBytes { get; set; } = EngineLimits.DefaultMaxCheckpointBytes;

    /// <summary>Most frames one job of a sequence engine may make (a request's <c>frames</c> can only be lower).</summary>
    public int MaxFrames { get; set; } = EngineLimits.DefaultMaxFrames;

    /// <summary>Most frames an input video may have (its container header's count).</summary>
    public int MaxVideoFrames { get; set; } = EngineLimits.DefaultMaxVideoFrames;

    /// <summary>Longest input video, in seconds.</summary>
    public double MaxVideoSeconds { get; set; } = EngineLimits.DefaultMaxVideoSeconds;

    /// <summary>Jobs running at once per task hub; beyond it <c>POST</c> answers 429 and inbox jobs wait.</summary>
    public int MaxRunningJobs { get; set; } = 4;

    /// <summary>Inbox jobs that may wait for a slot; beyond it an inbox job fails with reason <c>queue</c>.</summary>
    public int MaxQueuedJobs { get; set; } = 200;

    /// <summary>How long a job may take once admitted; past it the job fails (field <c>deadline</c>) and its checkpoints are deleted.</summary>
    public TimeSpan JobDeadline { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The host's function (activity) timeout: a chunk budget must fit well within it.</summary>
    public TimeSpan FunctionTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a waiting inbox job asks for a slot.</summary>
    public TimeSpan AdmissionPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>Retry-After</c> of a 429.</summary>
    public TimeSpan BusyRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Chunks an orchestration runs before it continues as new, so its history (and replay cost) stays small.</summary>
    public int ChunksPerGeneration { get; set; } = 16;

    /// <summary>Most cells one sweep may have (the product of its axes' lengths); beyond it a sweep is refused with 413.</summary>
    public int MaxSweepCells { get; set; } = 24;

    /// <summary>
    /// Most convolution multiply-adds the cells of one sweep may cost together (each cell is also held
    /// to <see cref="MaxMultiplyAdds"/>). 1e15 is five jobs at the single-job cap.
    /// </summary>
    public double MaxSweepMultiplyAdds { get; set; } = 1e15;

    /// <summary>The engines' view of these caps.</summary>
    public EngineLimits ForEngines() => new()
    {
        MaxWorkingPixels = MaxWorkingPixels,
        MaxIterations = MaxIterations,
        OptimizerMemoryMb = OptimizerMemoryMb,
        MaxCheckpointBytes = MaxCheckpointBytes,
        MaxFrames = MaxFrames,
        MaxVideoFrames = MaxVideoFrames,
        MaxVideoSeconds = MaxVideoSeconds,
    };

    /// <summary>A chunk may use at most this fraction of the function timeout: the next stage can cost more than the last measured.</summary>
    public const double ChunkBudgetShareOfTimeout = 0.5;

    /// <summary>The largest chunk budget a request may ask for.</summary>
    public double MaxChunkBudgetSeconds => FunctionTimeout.TotalSeconds * ChunkBudgetShareOfTimeout;
}
