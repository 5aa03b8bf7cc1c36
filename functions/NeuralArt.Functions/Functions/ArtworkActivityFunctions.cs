using Microsoft.Azure.Functions.Worker;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Functions.Functions;

/// <summary>Activity triggers, each delegating to the Pipeline's activity class.</summary>
public sealed class ArtworkActivityFunctions(
    PrepareArtworkActivity prepare,
    RunChunkActivity runChunk,
    FinalizeArtworkActivity finalize,
    RecordFailureActivity recordFailure,
    AdmitJobActivity admit)
{
    [Function(ActivityNames.Admit)]
    public Task<bool> AdmitAsync([ActivityTrigger] string input, CancellationToken cancellationToken) =>
        admit.ExecuteAsync(input, cancellationToken);

    [Function(ActivityNames.Prepare)]
    public Task<PrepareOutcome> PrepareAsync([ActivityTrigger] PrepareInput input, CancellationToken cancellationToken) =>
        prepare.ExecuteAsync(input, cancellationToken);

    [Function(ActivityNames.RunChunk)]
    public Task<ChunkOutcome> RunChunkAsync([ActivityTrigger] RunChunkInput input, CancellationToken cancellationToken) =>
        runChunk.ExecuteAsync(input, cancellationToken);

    [Function(ActivityNames.Finalize)]
    public Task<JobOutcome> FinalizeAsync([ActivityTrigger] FinalizeInput input, CancellationToken cancellationToken) =>
        finalize.ExecuteAsync(input, cancellationToken);

    [Function(ActivityNames.RecordFailure)]
    public Task<BlobRef> RecordFailureAsync([ActivityTrigger] FailureInput input, CancellationToken cancellationToken) =>
        recordFailure.ExecuteAsync(input, cancellationToken);
}
