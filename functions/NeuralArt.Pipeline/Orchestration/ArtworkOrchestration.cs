using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using NeuralArt.Engine.Jobs;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Orchestration;

/// <summary>
/// One job, either kind: Prepare, then RunChunk until the engine reports completion (sizing chunks
/// from a time budget), then Finalize. Deterministic: everything it decides on comes from its input
/// or from activity results, and its history holds blob references only.
/// A failure (bad input at once; anything else once the retries are spent) writes <c>error.json</c>
/// and fails the orchestration with the reason.
/// </summary>
public sealed class ArtworkOrchestration : TaskOrchestrator<JobRequest, JobOutcome>
{
    public const string Name = "ArtworkOrchestration";

    /// <summary>A render that stops moving is a bug, not something to loop on forever.</summary>
    private const int MaxChunksWithoutProgress = 3;

    public override async Task<JobOutcome> RunAsync(TaskOrchestrationContext context, JobRequest input)
    {
        var logger = context.CreateReplaySafeLogger<ArtworkOrchestration>();
        var jobId = context.InstanceId;
        var startedAt = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
            Math.Max(1, input.Retry.MaxAttempts),
            TimeSpan.FromSeconds(Math.Max(0.1, input.Retry.FirstRetrySeconds)),
            Math.Max(1, input.Retry.BackoffCoefficient),
            TimeSpan.FromSeconds(Math.Max(input.Retry.FirstRetrySeconds, input.Retry.MaxRetrySeconds))));
        var stage = input.Kind == ArtworkKinds.Dream ? "octave" : "scale";

        double Elapsed() => (context.CurrentUtcDateTime - startedAt.UtcDateTime).TotalSeconds;

        var phase = JobPhases.Preparing;
        var chunks = 0;
        double computeSeconds = 0;
        ProgressSnapshot? progress = null;
        BlobRef? preview = null;

        try
        {
            context.SetCustomStatus(new JobStatus { Phase = phase, Stage = stage });
            var prepared = await context.CallActivityAsync<PrepareOutcome>(ActivityNames.Prepare, new PrepareInput(jobId, input), retry);
            if (prepared.Error is { } invalid)
            {
                return await FailAsync(context, input, invalid, progress, chunks, Elapsed(), preview, stage);
            }

            var checkpoint = prepared.Checkpoint ?? throw new InvalidOperationException("Prepare returned no checkpoint.");
            progress = prepared.Progress ?? throw new InvalidOperationException("Prepare returned no progress.");
            var planner = new ChunkPlanner(input.Chunking);
            var stalled = 0;

            phase = JobPhases.Running;
            while (!progress.IsComplete)
            {
                context.SetCustomStatus(Status(phase, stage, progress, chunks, Elapsed(), preview));
                var iterations = planner.NextChunkIterations(progress);
                var chunk = await context.CallActivityAsync<ChunkOutcome>(
                    ActivityNames.RunChunk, new RunChunkInput(jobId, input.Kind, checkpoint, iterations), retry);
                if (chunk.Error is { } chunkError)
                {
                    return await FailAsync(context, input, chunkError, progress, chunks, Elapsed(), preview, stage);
                }

                var next = chunk.Progress ?? throw new InvalidOperationException("RunChunk returned no progress.");
                stalled = next.Key > progress.Key ? 0 : stalled + 1;
                if (stalled >= MaxChunksWithoutProgress)
                {
                    var stuck = new JobError($"The engine made no progress in {stalled} chunks at iteration {next.CompletedIterations}.", null, phase, Retriable: false);
                    return await FailAsync(context, input, stuck, progress, chunks, Elapsed(), preview, stage);
                }

                planner.Observe(chunk);
                chunks++;
                computeSeconds += chunk.ComputeSeconds;
                checkpoint = chunk.Checkpoint ?? throw new InvalidOperationException("RunChunk returned no checkpoint.");
                preview = chunk.Preview ?? preview;
                progress = next;
                logger.LogDebug("Job {JobId}: chunk {Chunk} ran {Iterations} iterations ({Percent:F0}%).", jobId, chunks, chunk.IterationsRun, 100 * progress.Fraction);
            }

            phase = JobPhases.Finalizing;
            context.SetCustomStatus(Status(phase, stage, progress, chunks, Elapsed(), preview));
            var outcome = await context.CallActivityAsync<JobOutcome>(
                ActivityNames.Finalize,
                new FinalizeInput(jobId, input, checkpoint, prepared.EffectiveParametersJson ?? input.ParametersJson, startedAt, chunks, computeSeconds),
                retry);

            context.SetCustomStatus(Status(JobPhases.Completed, stage, progress, chunks, Elapsed(), outcome.Preview) with { Result = outcome.Result });
            return outcome with { ElapsedSeconds = Elapsed() };
        }
        catch (TaskFailedException e)
        {
            // Retries are spent (or the failure was not worth retrying): record it and fail the job.
            var error = new JobError($"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}", null, phase, Retriable: true);
            return await FailAsync(context, input, error, progress, chunks, Elapsed(), preview, stage);
        }
    }

    private static JobStatus Status(string phase, string stage, ProgressSnapshot progress, int chunks, double elapsed, BlobRef? preview) => new()
    {
        Phase = phase,
        Stage = stage,
        StageIndex = progress.Phase,
        StageCount = progress.PhaseCount,
        Iteration = progress.CompletedIterations,
        TotalIterations = progress.TotalIterations,
        Percent = Math.Round(100 * progress.Fraction, 1),
        ElapsedSeconds = Math.Round(elapsed, 1),
        Chunks = chunks,
        Preview = preview,
    };

    private static async Task<JobOutcome> FailAsync(
        TaskOrchestrationContext context, JobRequest input, JobError error, ProgressSnapshot? progress, int chunks, double elapsed, BlobRef? preview, string stage)
    {
        var status = progress is null ? new JobStatus { Phase = JobPhases.Failed, Stage = stage } : Status(JobPhases.Failed, stage, progress, chunks, elapsed, preview);
        context.SetCustomStatus(status with { Error = error });

        // Writing error.json is worth a few tries of its own; if storage is gone the job still fails.
        var recordRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(1)));
        try
        {
            await context.CallActivityAsync<BlobRef>(
                ActivityNames.RecordFailure, new FailureInput(context.InstanceId, input, error, new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero)), recordRetry);
        }
        catch (TaskFailedException)
        {
            // Nothing more to do: the orchestration's own failure below still tells the reason.
        }

        throw new JobFailedException(error);
    }
}

/// <summary>Ends a failed job's orchestration; its message is the readable reason.</summary>
public sealed class JobFailedException(JobError error)
    : Exception(error.Field is null ? error.Reason : $"{error.Reason} (field: {error.Field})")
{
    public JobError Error { get; } = error;
}
