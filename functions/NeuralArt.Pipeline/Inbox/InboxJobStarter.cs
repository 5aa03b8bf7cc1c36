using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Inbox;

/// <summary>
/// Turns an inbox blob into a job, the same way for the Functions inbox event trigger and the local host's
/// inbox watcher: the conventions of <see cref="InboxConventions"/>, an ID from (name, ETag), the
/// same checks as the HTTP starter (<see cref="JobDoor"/>), and admission. Nothing here throws for
/// bad input: a refused upload becomes a job that fails at once with its reason and <c>error.json</c>;
/// an upload beyond the running cap waits in the admission queue.
/// </summary>
public sealed class InboxJobStarter(
    IArtworkStore store,
    JobDoor door,
    AdmissionControl admission,
    JobRequestFactory requests,
    IOptions<PipelineOptions> options,
    ILogger<InboxJobStarter> logger)
{
    /// <summary>Starts the blob's job unless it exists; returns its ID, or null when the blob starts no job.</summary>
    public async Task<string?> StartAsync(IJobClient client, string blobName, string etag, CancellationToken cancellationToken = default)
    {
        var entry = InboxConventions.Parse(blobName, door.Describe(), out var ignoredBecause);
        if (entry is null)
        {
            logger.LogDebug("Inbox blob {Blob} ignored: {Reason}", Sanitized(blobName), ignoredBecause);
            return null;
        }

        var jobId = JobIds.ForInboxBlob(entry.Kind, blobName, etag);
        if (await client.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is not null)
        {
            logger.LogDebug("Inbox blob {Blob}: job {JobId} already exists.", blobName, jobId);
            return jobId;
        }

        var request = await CheckAsync(entry, cancellationToken).ConfigureAwait(false);
        if (request.Rejection is null)
        {
            if (!await admission.HasWaitingAsync(cancellationToken).ConfigureAwait(false)
                && await admission.TryAcquireAsync(jobId, cancellationToken).ConfigureAwait(false))
            {
                // Admitted at once.
            }
            else if (await admission.EnqueueAsync(jobId, cancellationToken).ConfigureAwait(false))
            {
                request = request with { AwaitAdmission = true };
            }
            else
            {
                request = requests.Rejected(entry.Kind, request.Inputs, JobOrigins.Inbox, new JobError(
                    "The queue of waiting jobs is full; upload the image again later.", "queue", JobPhases.Queued, Retriable: true));
            }
        }

        if (await client.StartAsync(jobId, request, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Inbox blob {Blob} started job {JobId}{How}.", blobName, jobId,
                request.Rejection is { } r ? $" (refused: {r.Reason})" : request.AwaitAdmission ? " (queued)" : "");
        }
        else
        {
            await admission.ReleaseAsync(jobId, cancellationToken).ConfigureAwait(false);
            logger.LogDebug("Inbox blob {Blob}: job {JobId} already exists.", blobName, jobId);
        }

        return jobId;
    }

    /// <summary>The door's checks with the sidecar's parameters; a refusal becomes a request that only records it.</summary>
    private async Task<JobRequest> CheckAsync(InboxEntry entry, CancellationToken cancellationToken)
    {
        var source = new JobInput(entry.PrimaryRole, new BlobRef(StorageLayout.InboxContainer, entry.BlobName));
        try
        {
            var sidecar = await ReadSidecarAsync(entry, cancellationToken).ConfigureAwait(false);
            var inputs = WithSidecarInputs(entry.Inputs, sidecar);
            var (request, _) = await door.CheckAsync(new JobOrder(entry.Kind, inputs, sidecar.ToJsonString(), null, JobOrigins.Inbox), cancellationToken).ConfigureAwait(false);
            return request;
        }
        catch (JobRejectedException e)
        {
            return requests.Rejected(entry.Kind, [source], JobOrigins.Inbox, new JobError(e.Message, e.Field, "submitted", Retriable: false));
        }
    }

    /// <summary>
    /// A sidecar's reserved member <c>inputs</c> names further inputs by role (for example
    /// <c>{"inputs":{"&lt;role&gt;":["uploads/cat-mask.png"]}}</c>); it is taken out of the parameters. The
    /// path's own inputs (the source, library folders) cannot be replaced.
    /// </summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> WithSidecarInputs(
        IReadOnlyDictionary<string, IReadOnlyList<string>> fromPath, System.Text.Json.Nodes.JsonObject sidecar)
    {
        if (!sidecar.Remove(InboxConventions.SidecarInputsMember, out var node) || node is null) return fromPath;
        if (node is not System.Text.Json.Nodes.JsonObject roles)
        {
            throw JobRejectedException.BadRequest("sidecar", $"The sidecar's '{InboxConventions.SidecarInputsMember}' must be an object of role -> blob references.");
        }

        var inputs = new Dictionary<string, IReadOnlyList<string>>(fromPath, StringComparer.Ordinal);
        foreach (var (role, value) in roles)
        {
            var field = NeuralArt.Contract.ParameterSchema.Printable(role);
            if (inputs.ContainsKey(role)) throw JobRejectedException.BadRequest(field, $"The '{field}' input comes from the inbox path; the sidecar cannot name it.");
            inputs[role] = value switch
            {
                System.Text.Json.Nodes.JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => [v.GetValue<string>()],
                System.Text.Json.Nodes.JsonArray items when items.All(i => i is System.Text.Json.Nodes.JsonValue iv && iv.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    => items.Select(i => i!.GetValue<string>()).ToList(),
                _ => throw JobRejectedException.BadRequest(field, $"The sidecar's '{field}' input must be a blob reference or an array of them."),
            };
        }

        return inputs;
    }

    private async Task<System.Text.Json.Nodes.JsonObject> ReadSidecarAsync(InboxEntry entry, CancellationToken cancellationToken)
    {
        var sidecar = InboxConventions.Sidecar(entry);
        StoredBlob? stored;
        try
        {
            stored = await store.ReadAsync(sidecar, options.Value.MaxSidecarBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobTooLargeException e)
        {
            throw JobRejectedException.BadRequest("sidecar", $"The sidecar '{sidecar}' is {e.Size:N0} bytes; sidecars are limited to {e.Limit:N0} bytes.");
        }

        if (stored is null) return [];
        var text = Encoding.UTF8.GetString(stored.Content);
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(text) is System.Text.Json.Nodes.JsonObject parameters) return parameters;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw JobRejectedException.BadRequest("sidecar", $"The sidecar '{sidecar}' is not valid JSON: {e.Message}");
        }

        throw JobRejectedException.BadRequest("sidecar", $"The sidecar '{sidecar}' must be a JSON object of parameters.");
    }

    /// <summary>Names come from uploaders: logged without control characters and cut short.</summary>
    private static string Sanitized(string name) => NeuralArt.Contract.ParameterSchema.Printable(name);
}
