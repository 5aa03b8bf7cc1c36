using System.Diagnostics;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Activities;

/// <summary>
/// Runs up to k iterations from a checkpoint and writes the next one. It starts from the furthest
/// checkpoint the job has: when an earlier attempt of this chunk already wrote its checkpoint
/// (the host died before the orchestration heard of it) the chunk is not run again, so work is
/// never done twice, and never redone from the start.
/// </summary>
public sealed class RunChunkActivity(
    IArtworkStore store,
    CheckpointStore checkpoints,
    ChunkRunLog runs,
    ArtworkEngines engines,
    IOptions<PipelineOptions> options,
    TimeProvider clock,
    ILogger<RunChunkActivity> logger) : TaskActivity<RunChunkInput, ChunkOutcome>
{
    private readonly PipelineOptions settings = options.Value;

    public override Task<ChunkOutcome> RunAsync(TaskActivityContext context, RunChunkInput input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<ChunkOutcome> ExecuteAsync(RunChunkInput input, CancellationToken cancellationToken)
    {
        if (!CheckpointStore.TryGetKey(input.From, out var fromKey))
        {
            throw new ArgumentException($"'{input.From}' is not a checkpoint blob.", nameof(input));
        }

        var latest = await checkpoints.FindLatestAsync(input.JobId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Job {input.JobId} has no checkpoint in {StorageLayout.JobsContainer}/{StorageLayout.CheckpointPrefix(input.JobId)}.");

        try
        {
            if (latest.Key > fromKey)
            {
                // An earlier attempt finished this chunk: report its checkpoint instead of running again.
                var done = await checkpoints.ReadAsync(latest.Blob, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Checkpoint '{latest.Blob}' vanished while being read.");
                logger.LogInformation("Job {JobId}: chunk from {From} was already done, resuming at {Checkpoint}.", input.JobId, input.From, latest.Blob);
                return new ChunkOutcome(latest.Blob, done.Progress, done.Progress.CompletedIterations - fromKey.CompletedIterations, 0, Resumed: true, null, null);
            }

            var attempt = await checkpoints.RecordAttemptAsync(input.JobId, fromKey, cancellationToken).ConfigureAwait(false);
            if (attempt > input.MaxAttempts)
            {
                var reason = $"The chunk from iteration {fromKey.CompletedIterations} was started {attempt - 1} times and never finished: " +
                    "its worker stops while running it (out of memory, or killed). Try a smaller size or tile size.";
                logger.LogError("Job {JobId}: {Reason}", input.JobId, reason);
                return new ChunkOutcome(null, null, 0, 0, false, null, new JobError(reason, null, JobPhases.Running, Retriable: false));
            }

            var start = await checkpoints.ReadAsync(input.From, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Checkpoint '{input.From}' does not exist.");
            var engine = engines.Get(input.Kind);

            var startedAt = clock.GetUtcNow();
            var timer = Stopwatch.StartNew();
            var next = await engine.RunChunkAsync(start.State, input.MaxIterations, progress: null, previewMaxSide: settings.PreviewMaxSide, cancellationToken).ConfigureAwait(false);
            var computeSeconds = timer.Elapsed.TotalSeconds;

            // Finished frames first: a chunk that dies before its checkpoint is written runs again and
            // writes the same frames (the engine is deterministic), so nothing is lost or doubled.
            foreach (var frame in next.Frames)
            {
                await store.WriteAsync(StorageLayout.Frame(input.JobId, frame.Index), frame.Png, ContentTypes.Png, cancellationToken).ConfigureAwait(false);
            }

            // The record goes before the checkpoint for the same reason: a chunk run again after a crash
            // rewrites it under the same name, so the log names whoever made the checkpoint that counts.
            var progress = ProgressSnapshot.From(next.Progress);
            await runs.WriteAsync(
                input.JobId,
                fromKey,
                new ChunkRun(start.Progress.CompletedIterations, progress.CompletedIterations, settings.RunnerName, startedAt, clock.GetUtcNow(), computeSeconds, next.Frames.Count),
                cancellationToken).ConfigureAwait(false);

            var blob = await checkpoints.WriteAsync(input.JobId, next, cancellationToken).ConfigureAwait(false);
            var preview = StorageLayout.Preview(input.JobId);
            // Engines render the preview from the state they hold; one that does not is asked to render it.
            var jpeg = next.Preview ?? await engine.RenderAsync(next.State, RenderFormat.Jpeg, settings.PreviewMaxSide, cancellationToken).ConfigureAwait(false);
            await store.WriteAsync(preview, jpeg, ContentTypes.Jpeg, cancellationToken).ConfigureAwait(false);

            // The new checkpoint is durable: the ones before the chunk's start are no longer needed.
            await checkpoints.DeleteOlderAsync(input.JobId, fromKey, cancellationToken).ConfigureAwait(false);

            logger.LogInformation("Job {JobId}: chunk {From} -> {To}: {Iterations} iterations in {Seconds:F2} s, {Frames} frame(s).",
                input.JobId, fromKey.CompletedIterations, progress.CompletedIterations, progress.CompletedIterations - start.Progress.CompletedIterations, computeSeconds, next.Frames.Count);
            return new ChunkOutcome(blob, progress, progress.CompletedIterations - start.Progress.CompletedIterations, computeSeconds, Resumed: false, preview, null);
        }
        catch (InvalidArtworkInputException e)
        {
            return new ChunkOutcome(null, null, 0, 0, false, null, new JobError(e.Message, e.Field, JobPhases.Running, Retriable: false));
        }
    }
}
