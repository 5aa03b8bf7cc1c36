using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Chunks;
using NeuralArt.Pipeline.Durable;

namespace NeuralArt.Functions.Functions;

/// <summary>
/// The queued executor in the Functions app: the dispatch activity (a chunk message for the GPU
/// workers) and the <c>chunk-results</c> queue trigger that raises each result as its job's event.
/// </summary>
public sealed class ChunkQueueFunctions(DispatchChunkActivity dispatch, ChunkResultRelay relay)
{
    public const string ResultsFunctionName = "ChunkResult";

    [Function(ActivityNames.DispatchChunk)]
    public Task<bool> DispatchAsync([ActivityTrigger] ChunkMessage input, CancellationToken cancellationToken) =>
        dispatch.ExecuteAsync(input, cancellationToken);

    /// <summary>
    /// A malformed result throws: the runtime delivers it again and moves it to <c>chunk-results-poison</c>
    /// after host.json's maxDequeueCount, as the local host's watcher does.
    /// </summary>
    [Function(ResultsFunctionName)]
    public Task RunAsync(
        [QueueTrigger(ChunkQueueOptions.DefaultResultsQueue, Connection = StorageSettings.DataConnection)] BinaryData message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!ChunkQueues.TryParse<ChunkResultMessage>(message, out var result, out var malformed))
        {
            throw new InvalidOperationException($"Not a chunk result: {malformed}.");
        }

        return relay.RaiseAsync(result!, new DurableTaskJobClient(client), cancellationToken);
    }
}
