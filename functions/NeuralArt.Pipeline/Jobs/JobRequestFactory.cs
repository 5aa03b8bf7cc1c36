using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Chunks;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>Builds <see cref="JobRequest"/>s with this host's chunking, retry and deadline settings baked in.</summary>
public sealed class JobRequestFactory(IOptions<PipelineOptions> options, IOptions<JobLimitsOptions> limits, IOptions<ChunkQueueOptions> chunks, TimeProvider clock)
{
    public JobRequest Create(string kind, string stage, IReadOnlyList<JobInput> inputs, JobPlan plan, string origin, double? chunkBudgetSeconds = null)
    {
        var settings = options.Value;
        var caps = limits.Value;
        var budget = Math.Min(chunkBudgetSeconds ?? settings.ChunkTimeBudgetSeconds, caps.MaxChunkBudgetSeconds);
        var executor = chunks.Value;
        return new JobRequest
        {
            Kind = kind,
            Stage = stage,
            Inputs = inputs,
            ParametersJson = plan.ParametersJson,
            Model = plan.Model,
            Cost = plan.Cost,
            Origin = origin,
            SubmittedAt = clock.GetUtcNow(),
            DeadlineSeconds = caps.JobDeadline.TotalSeconds,
            ChunksPerGeneration = Math.Max(1, caps.ChunksPerGeneration),
            AdmissionPollSeconds = caps.AdmissionPollInterval.TotalSeconds,
            Chunking = new ChunkingPolicy { BudgetSeconds = budget },
            Queued = executor.IsQueued
                ? new QueuedExecution { ResultDeadlineSeconds = executor.ResultDeadlineFor(budget).TotalSeconds, MaxDispatches = Math.Max(1, executor.MaxDispatches) }
                : null,
            Retry = new RetrySettings
            {
                MaxAttempts = settings.ActivityMaxAttempts,
                FirstRetrySeconds = settings.ActivityFirstRetryInterval.TotalSeconds,
            },
        };
    }

    /// <summary>A request the door refused (inbox jobs): the orchestration only records the failure.</summary>
    public JobRequest Rejected(string kind, IReadOnlyList<JobInput> inputs, string origin, JobError error) => new()
    {
        Kind = kind,
        Inputs = inputs,
        Origin = origin,
        SubmittedAt = clock.GetUtcNow(),
        Rejection = error,
    };
}
