using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Activities;

/// <summary>Writes <c>outputs/{id}/error.json</c> for a failed job, drops its checkpoints and frees its admission slot.</summary>
public sealed class RecordFailureActivity(
    IArtworkStore store,
    CheckpointStore checkpoints,
    AdmissionControl admission,
    IOptions<PipelineOptions> options,
    ILogger<RecordFailureActivity> logger) : TaskActivity<FailureInput, BlobRef>
{
    public override Task<BlobRef> RunAsync(TaskActivityContext context, FailureInput input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<BlobRef> ExecuteAsync(FailureInput input, CancellationToken cancellationToken)
    {
        var manifest = new JobErrorManifest
        {
            Id = input.JobId,
            Kind = input.Request.Kind,
            Origin = input.Request.Origin,
            Inputs = JobInputs.ByRole(input.Request.Inputs),
            Reason = input.Error.Reason,
            Field = input.Error.Field,
            Phase = input.Error.Phase,
            Retriable = input.Error.Retriable,
            FailedAt = input.FailedAt,
        };
        var blob = StorageLayout.Error(input.JobId);
        await store.WriteAsync(blob, JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson.Options), "application/json", cancellationToken).ConfigureAwait(false);
        if (!options.Value.KeepCheckpoints)
        {
            await checkpoints.DeleteAllAsync(input.JobId, cancellationToken).ConfigureAwait(false);
        }

        await admission.ReleaseAsync(input.JobId, cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Job {JobId} failed while {Phase}: {Reason}", input.JobId, input.Error.Phase, input.Error.Reason);
        return blob;
    }
}
