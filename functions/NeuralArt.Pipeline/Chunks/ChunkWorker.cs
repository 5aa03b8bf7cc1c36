using System.Diagnostics;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Chunks;

/// <summary>
/// The worker loop (<c>neuralart worker</c>, and the GPU job's container in Azure): takes chunk
/// messages one at a time, runs each through <see cref="RunChunkActivity.ExecuteAsync"/> (the in-process
/// activity's own code: same checkpoint names, so a duplicate delivery returns the checkpoint already
/// written), reports the outcome on the results queue, then deletes the message. It keeps taking
/// messages until the queue has been empty for <see cref="ChunkQueueOptions.WorkerIdleTimeout"/>, so a
/// cold start is paid once per burst. A message that cannot be parsed, or that was delivered more than
/// <see cref="ChunkQueueOptions.MaxDequeueCount"/> times, goes to the poison queue.
/// </summary>
public sealed class ChunkWorker(
    ChunkQueues queues,
    RunChunkActivity runChunk,
    CheckpointStore checkpoints,
    IOptions<ChunkQueueOptions> options,
    IOptions<PipelineOptions> pipeline,
    TimeProvider clock,
    ILogger<ChunkWorker> logger)
{
    /// <summary>How long an abandoned message may take to be handed back when the worker stops (storage may be gone).</summary>
    private static readonly TimeSpan ReleaseOnStopLimit = TimeSpan.FromSeconds(2);

    private readonly ChunkQueueOptions settings = options.Value;

    /// <summary>
    /// The name reported with each chunk: the pipeline's runner name, which RunChunkActivity records in
    /// the chunk's run record (job.json's <c>chunkRuns</c>); a worker host sets it to the worker's name.
    /// </summary>
    public string Name { get; } = pipeline.Value.RunnerName;

    /// <summary>Called when a chunk has been reported, with the time its handling took (the cold-start and overhead figures read it).</summary>
    public event Action<ChunkMessage, TimeSpan>? ChunkReported;

    /// <summary>Runs until the queue stays empty for the idle time (returns the chunks reported) or the token is cancelled.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await queues.EnsureAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Chunk worker {Worker} takes messages from queue {Queue}.", Name, queues.Chunks.Name);
        var backoff = new PollBackoff(settings.MaxPollInterval, clock);
        var started = clock.GetTimestamp();
        var idleSince = started;
        var reported = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (settings.WorkerStopTakingAfter > TimeSpan.Zero && clock.GetElapsedTime(started) >= settings.WorkerStopTakingAfter)
            {
                // Another execution takes the rest: a chunk started now might outlive the replica timeout.
                logger.LogInformation("Chunk worker {Worker}: ran {Minutes:F0} min, takes no more chunks ({Chunks} done).", Name, settings.WorkerStopTakingAfter.TotalMinutes, reported);
                return reported;
            }

            QueueMessage? message = null;
            try
            {
                message = await queues.Chunks.ReceiveMessageAsync(settings.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Storage unreachable for a while: poll again later; the idle time still ends the worker if it stays so.
                logger.LogWarning("Chunk worker {Worker}: the chunk queue could not be read ({Error}).", Name, e.Message);
            }

            if (message is null)
            {
                if (settings.WorkerIdleTimeout > TimeSpan.Zero && clock.GetElapsedTime(idleSince) >= settings.WorkerIdleTimeout)
                {
                    logger.LogInformation("Chunk worker {Worker}: queue empty for {Seconds:F0} s, exiting after {Chunks} chunk(s).", Name, settings.WorkerIdleTimeout.TotalSeconds, reported);
                    return reported;
                }

                await backoff.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            backoff.Reset();
            try
            {
                if (await HandleAsync(message, cancellationToken).ConfigureAwait(false))
                {
                    reported++;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Storage failed around the chunk (sending its result, deleting its message): the message comes back
                // after its visibility timeout and is answered from the checkpoint; this worker goes on.
                logger.LogWarning("Chunk worker {Worker}: message {MessageId} not settled ({Error}); it returns after its visibility timeout.", Name, message.MessageId, e.Message);
            }

            idleSince = clock.GetTimestamp();
        }
    }

    /// <summary>Handles one taken message; true when a result was reported.</summary>
    public async Task<bool> HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        if (!ChunkQueues.TryParse<ChunkMessage>(message.Body, out var chunk, out var malformed))
        {
            // It can never succeed: straight to the poison queue, not N more deliveries.
            await queues.PoisonAsync(queues.Chunks, message, malformed, cancellationToken).ConfigureAwait(false);
            return false;
        }

        if (message.DequeueCount > settings.MaxDequeueCount)
        {
            var reason = $"Chunk {chunk!.Chunk} was delivered to workers {message.DequeueCount - 1} times and never finished (each worker failed or was stopped while running it).";
            await queues.PoisonAsync(queues.Chunks, message, reason, cancellationToken).ConfigureAwait(false);
            // The job hears of it now rather than at its deadline.
            await ReportAsync(chunk, new ChunkOutcome(null, null, 0, 0, false, null, new JobError(reason, null, JobPhases.Running, Retriable: false)), cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (await checkpoints.FindLatestAsync(chunk!.JobId, cancellationToken).ConfigureAwait(false) is null)
        {
            // The job ended (its checkpoints are deleted when it does): a late duplicate, nothing to run.
            logger.LogInformation("Job {JobId} has no checkpoints (it has ended): chunk {Chunk} dropped.", chunk.JobId, chunk.Chunk);
            await queues.Chunks.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            return false;
        }

        logger.LogInformation("Worker {Worker} runs chunk {Chunk} of job {JobId} (dispatch {Dispatch}, delivery {Delivery}).", Name, chunk.Chunk, chunk.JobId, chunk.Dispatch, message.DequeueCount);
        var elapsed = Stopwatch.StartNew();
        await using var lease = new MessageLease(queues.Chunks, message, settings.VisibilityTimeout, clock, logger);
        ChunkOutcome outcome;
        try
        {
            outcome = await runChunk.ExecuteAsync(chunk.Input, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: hand the chunk back at once if storage answers quickly, else it returns after its visibility timeout.
            using var limit = new CancellationTokenSource(ReleaseOnStopLimit);
            try
            {
                await lease.ReleaseAsync(TimeSpan.Zero, limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning("Chunk {Chunk} of job {JobId} was not handed back ({Error}); it returns after its visibility timeout.", chunk.Chunk, chunk.JobId, e.Message);
            }

            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Chunk {Chunk} of job {JobId} failed on delivery {Delivery}; it is delivered again in {Seconds:F0} s.",
                chunk.Chunk, chunk.JobId, message.DequeueCount, settings.RetryDelay.TotalSeconds);
            await lease.ReleaseAsync(settings.RetryDelay, cancellationToken).ConfigureAwait(false);
            return false;
        }

        await ReportAsync(chunk, outcome, cancellationToken).ConfigureAwait(false);
        await lease.CompleteAsync(cancellationToken).ConfigureAwait(false);
        ChunkReported?.Invoke(chunk, elapsed.Elapsed);
        return true;
    }

    private Task ReportAsync(ChunkMessage chunk, ChunkOutcome outcome, CancellationToken cancellationToken) =>
        queues.SendResultAsync(new ChunkResultMessage(chunk.JobId, chunk.Chunk, chunk.Dispatch, Name, outcome), cancellationToken);
}
