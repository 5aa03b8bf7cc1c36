using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Orchestration;

/// <summary>
/// One job, of any kind: wait for an admission slot when it must, Prepare, RunChunk until the engine
/// reports completion (sizing chunks from a time budget), then Finalize. Deterministic: everything
/// it decides on comes from its input or activity results; its history holds blob references only,
/// and it continues as new every <see cref="JobRequest.ChunksPerGeneration"/> chunks so replays stay
/// short however long the job. Every failure (a door rejection, bad input, a chunk that keeps
/// stopping its worker, the deadline, spent retries) writes <c>error.json</c> and fails the job.
/// </summary>
public sealed class ArtworkOrchestration : TaskOrchestrator<JobRequest, JobOutcome>
{
    public const string Name = "ArtworkOrchestration";

    /// <summary>A render that stops moving is a bug, not something to loop on forever.</summary>
    private const int MaxChunksWithoutProgress = 3;

    /// <summary>Admission polls per orchestration generation (each poll adds a timer and an activity to the history).</summary>
    private const int MaxAdmissionPollsPerGeneration = 30;

    public override async Task<JobOutcome> RunAsync(TaskOrchestrationContext context, JobRequest input)
    {
        var logger = context.CreateReplaySafeLogger<ArtworkOrchestration>();
        var jobId = context.InstanceId;
        var stage = input.Stage;
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
            Math.Max(1, input.Retry.MaxAttempts),
            TimeSpan.FromSeconds(Math.Max(0.1, input.Retry.FirstRetrySeconds)),
            Math.Max(1, input.Retry.BackoffCoefficient),
            TimeSpan.FromSeconds(Math.Max(input.Retry.FirstRetrySeconds, input.Retry.MaxRetrySeconds))));
        DateTimeOffset Now() => new(context.CurrentUtcDateTime, TimeSpan.Zero);

        if (input.Rejection is { } rejected)
        {
            return await FailAsync(context, input, rejected, null);
        }

        if (input.AwaitAdmission)
        {
            context.SetCustomStatus(new JobStatus { Phase = JobPhases.Queued, Stage = stage });
            for (var poll = 0; !await context.CallActivityAsync<bool>(ActivityNames.Admit, jobId, retry); poll++)
            {
                if (poll + 1 >= MaxAdmissionPollsPerGeneration)
                {
                    context.ContinueAsNew(input);
                    return default!;
                }

                await context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(Math.Max(1, input.AdmissionPollSeconds)), CancellationToken.None);
            }

            input = input with { AwaitAdmission = false };
        }

        var run = new RunState(input.Resume, Now());
        var phase = JobPhases.Preparing;
        try
        {
            if (run.Checkpoint is null)
            {
                context.SetCustomStatus(new JobStatus { Phase = phase, Stage = stage });
                var prepared = await context.CallActivityAsync<PrepareOutcome>(ActivityNames.Prepare, new PrepareInput(jobId, input), retry);
                if (prepared.Error is { } invalid)
                {
                    return await FailAsync(context, input, invalid, run.Status(phase, stage, Now()));
                }

                run.Checkpoint = prepared.Checkpoint ?? throw new InvalidOperationException("Prepare returned no checkpoint.");
                run.Progress = prepared.Progress ?? throw new InvalidOperationException("Prepare returned no progress.");
            }

            var planner = new ChunkPlanner(input.Chunking, run.SecondsPerPixelIteration);
            var deadline = run.StartedAt.AddSeconds(input.DeadlineSeconds);
            var stalled = 0;
            var generationChunks = 0;
            phase = JobPhases.Running;
            while (!run.Progress!.IsComplete)
            {
                if (Now() >= deadline)
                {
                    var late = new JobError(
                        $"The job passed its deadline of {TimeSpan.FromSeconds(input.DeadlineSeconds)} at iteration {run.Progress.CompletedIterations} of {run.Progress.TotalIterations}; its checkpoints were deleted.",
                        "deadline", phase, Retriable: false);
                    return await FailAsync(context, input, late, run.Status(phase, stage, Now()));
                }

                if (generationChunks >= input.ChunksPerGeneration)
                {
                    context.ContinueAsNew(input with { Resume = run.ToResume(planner.SecondsPerPixelIteration) });
                    return default!;
                }

                context.SetCustomStatus(run.Status(phase, stage, Now()));
                var iterations = planner.NextChunkIterations(run.Progress);
                var chunkInput = new RunChunkInput(jobId, input.Kind, run.Checkpoint!.Value, iterations) { MaxAttempts = input.Retry.MaxAttempts };
                var chunk = input.Queued is { } queued
                    ? await QueuedChunks.RunAsync(context, queued, run.Chunks + 1, chunkInput, retry, logger)
                    : await context.CallActivityAsync<ChunkOutcome>(ActivityNames.RunChunk, chunkInput, retry);
                if (chunk.Error is { } chunkError)
                {
                    return await FailAsync(context, input, chunkError, run.Status(phase, stage, Now()));
                }

                var next = chunk.Progress ?? throw new InvalidOperationException("RunChunk returned no progress.");
                stalled = next.Key > run.Progress.Key ? 0 : stalled + 1;
                if (stalled >= MaxChunksWithoutProgress)
                {
                    var stuck = new JobError($"The engine made no progress in {stalled} chunks at iteration {next.CompletedIterations}.", null, phase, Retriable: false);
                    return await FailAsync(context, input, stuck, run.Status(phase, stage, Now()));
                }

                planner.Observe(chunk);
                run.Chunks++;
                generationChunks++;
                run.ComputeSeconds += chunk.ComputeSeconds;
                run.Checkpoint = chunk.Checkpoint ?? throw new InvalidOperationException("RunChunk returned no checkpoint.");
                run.Preview = chunk.Preview ?? run.Preview;
                run.Progress = next;
                logger.LogDebug("Job {JobId}: chunk {Chunk} ran {Iterations} iterations ({Percent:F0}%).", jobId, run.Chunks, chunk.IterationsRun, 100 * next.Fraction);
            }

            phase = JobPhases.Finalizing;
            context.SetCustomStatus(run.Status(phase, stage, Now()));
            var outcome = await context.CallActivityAsync<JobOutcome>(
                ActivityNames.Finalize,
                new FinalizeInput(jobId, input, run.Checkpoint!.Value, input.ParametersJson, run.StartedAt, run.Chunks, run.ComputeSeconds),
                retry);
            if (outcome.Error is { } finishError)
            {
                return await FailAsync(context, input, finishError, run.Status(phase, stage, Now()));
            }

            var elapsed = (Now() - run.StartedAt).TotalSeconds;
            context.SetCustomStatus(run.Status(JobPhases.Completed, stage, Now()) with { Result = outcome.Result, Preview = outcome.Preview, RemainingSeconds = 0 });
            return outcome with { ElapsedSeconds = elapsed };
        }
        catch (TaskFailedException e)
        {
            // Retries are spent (or the failure was not worth retrying): record it and fail the job.
            var error = new JobError($"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}", null, phase, Retriable: true);
            return await FailAsync(context, input, error, run.Status(phase, stage, Now()));
        }
        catch (Exception e) when (e is not JobFailedException and not OperationCanceledException)
        {
            // Anything else (an activity answered something impossible): still a failed job with error.json.
            var error = new JobError($"The job stopped: {e.Message}", null, phase, Retriable: false);
            return await FailAsync(context, input, error, run.Status(phase, stage, Now()));
        }
    }

    private static async Task<JobOutcome> FailAsync(TaskOrchestrationContext context, JobRequest input, JobError error, JobStatus? status)
    {
        context.SetCustomStatus((status ?? new JobStatus { Phase = JobPhases.Failed, Stage = input.Stage }) with { Phase = JobPhases.Failed, Error = error });

        // Writing error.json (and freeing the slot) is worth a few tries of its own; if storage is gone the job still fails.
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

    /// <summary>What the loop carries between chunks, and across generations as a <see cref="JobResume"/>.</summary>
    private sealed class RunState(JobResume? resume, DateTimeOffset now)
    {
        public DateTimeOffset StartedAt { get; } = resume?.StartedAt ?? now;
        public BlobRef? Checkpoint { get; set; } = resume?.Checkpoint;
        public ProgressSnapshot? Progress { get; set; } = resume?.Progress;
        public int Chunks { get; set; } = resume?.Chunks ?? 0;
        public double ComputeSeconds { get; set; } = resume?.ComputeSeconds ?? 0;
        public BlobRef? Preview { get; set; } = resume?.Preview;
        public double? SecondsPerPixelIteration { get; } = resume?.SecondsPerPixelIteration;

        public JobStatus Status(string phase, string stage, DateTimeOffset now)
        {
            var elapsed = (now - StartedAt).TotalSeconds;
            if (Progress is not { } p) return new JobStatus { Phase = phase, Stage = stage, ElapsedSeconds = Math.Round(elapsed, 1), Chunks = Chunks, Preview = Preview };
            double? remaining = p.CompletedIterations > 0 && p.Fraction < 1 ? Math.Round(elapsed * (1 - p.Fraction) / p.Fraction, 1) : null;
            return new JobStatus
            {
                Phase = phase,
                Stage = stage,
                StageIndex = p.Phase,
                StageCount = p.PhaseCount,
                Iteration = p.CompletedIterations,
                TotalIterations = p.TotalIterations,
                Percent = Math.Round(100 * p.Fraction, 1),
                ElapsedSeconds = Math.Round(elapsed, 1),
                RemainingSeconds = remaining,
                Chunks = Chunks,
                Preview = Preview,
            };
        }

        public JobResume ToResume(double? secondsPerPixelIteration) => new()
        {
            Checkpoint = Checkpoint!.Value,
            Progress = Progress!,
            StartedAt = StartedAt,
            Chunks = Chunks,
            ComputeSeconds = ComputeSeconds,
            SecondsPerPixelIteration = secondsPerPixelIteration,
            Preview = Preview,
        };
    }
}

/// <summary>Ends a failed job's orchestration; its message is the readable reason.</summary>
public sealed class JobFailedException(JobError error)
    : Exception(error.Field is null ? error.Reason : $"{error.Reason} (field: {error.Field})")
{
    public JobError Error { get; } = error;
}
