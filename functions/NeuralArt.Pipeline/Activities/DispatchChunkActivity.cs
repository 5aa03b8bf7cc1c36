using Microsoft.DurableTask;
using NeuralArt.Pipeline.Chunks;

namespace NeuralArt.Pipeline.Activities;

/// <summary>The queued executor's step: puts one chunk message on the <c>chunks</c> queue for a worker.</summary>
public sealed class DispatchChunkActivity(ChunkQueues queues) : TaskActivity<ChunkMessage, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, ChunkMessage input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<bool> ExecuteAsync(ChunkMessage input, CancellationToken cancellationToken)
    {
        await queues.SendChunkAsync(input, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
