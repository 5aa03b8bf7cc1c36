using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Chunks;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Orchestration;

/// <summary>
/// The queued executor inside the orchestration: dispatch the chunk, wait for its result event with a
/// durable timer as the deadline, dispatch again on the deadline, and after the last dispatch answer a
/// failed outcome with the reason. Deterministic: the waits and dispatches are all in the history.
/// </summary>
internal static class QueuedChunks
{
    public static async Task<ChunkOutcome> RunAsync(
        TaskOrchestrationContext context, QueuedExecution queued, int chunk, RunChunkInput input, TaskOptions retry, ILogger logger)
    {
        var deadline = TimeSpan.FromSeconds(queued.ResultDeadlineSeconds);
        var dispatches = Math.Max(1, queued.MaxDispatches);
        for (var dispatch = 1; dispatch <= dispatches; dispatch++)
        {
            await context.CallActivityAsync<bool>(ActivityNames.DispatchChunk, new ChunkMessage(context.InstanceId, chunk, dispatch, input), retry);
            try
            {
                // A late result of an earlier dispatch answers this wait just as well: the chunk is the same.
                return await context.WaitForExternalEvent<ChunkOutcome>(ChunkMessage.EventName(chunk), deadline);
            }
            catch (TaskCanceledException)
            {
                logger.LogWarning("Job {JobId}: no worker reported chunk {Chunk} within {Seconds:F0} s of dispatch {Dispatch}.", context.InstanceId, chunk, deadline.TotalSeconds, dispatch);
            }
        }

        var from = CheckpointStore.TryGetKey(input.From, out var key) ? $"iteration {key.CompletedIterations}" : "its checkpoint";
        var reason = $"No worker reported the chunk from {from} within {deadline.TotalSeconds:F0} s, {dispatches} times: are chunk workers running and reading the chunk queue?";
        return new ChunkOutcome(null, null, 0, 0, false, null, new JobError(reason, null, JobPhases.Running, Retriable: true));
    }
}
