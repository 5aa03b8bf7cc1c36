using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using NeuralArt.Pipeline.Durable;

namespace NeuralArt.Pipeline.Chunks;

/// <summary>
/// Turns a worker's result message into the orchestration's external event for that chunk: the
/// Functions app's <c>chunk-results</c> queue trigger and the local host's watcher both call it.
/// </summary>
public sealed class ChunkResultRelay(ILogger<ChunkResultRelay> logger)
{
    /// <summary>Raises the event of a parsed result message.</summary>
    public async Task RaiseAsync(ChunkResultMessage result, IJobClient client, CancellationToken cancellationToken)
    {
        await client.RaiseEventAsync(result.JobId, ChunkMessage.EventName(result.Chunk), result.Outcome, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job {JobId}: chunk {Chunk} (dispatch {Dispatch}) reported by worker {Worker}{Error}.",
            result.JobId, result.Chunk, result.Dispatch, result.Worker, result.Outcome.Error is { } error ? $", failed: {error.Reason}" : string.Empty);
    }

    /// <summary>
    /// Relays one message of the results queue taken by a poller (the local host): raised and deleted,
    /// or moved to the poison queue when it is malformed or keeps failing.
    /// </summary>
    public async Task RelayAsync(ChunkQueues queues, QueueMessage message, IJobClient client, int maxDequeueCount, CancellationToken cancellationToken)
    {
        if (!ChunkQueues.TryParse<ChunkResultMessage>(message.Body, out var result, out var malformed))
        {
            await queues.PoisonAsync(queues.Results, message, malformed, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (message.DequeueCount > maxDequeueCount)
        {
            await queues.PoisonAsync(queues.Results, message, $"its event could not be raised in {message.DequeueCount - 1} deliveries", cancellationToken).ConfigureAwait(false);
            return;
        }

        await RaiseAsync(result!, client, cancellationToken).ConfigureAwait(false);
        await queues.Results.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
    }
}
