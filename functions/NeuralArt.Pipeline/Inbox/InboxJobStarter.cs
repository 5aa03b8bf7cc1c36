using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Clients;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Inbox;

/// <summary>
/// Turns an inbox blob into a job, the same way for the Functions inbox event trigger and the local host's
/// inbox watcher: the conventions of <see cref="InboxConventions"/>, and an ID from (name, ETag).
/// </summary>
public sealed class InboxJobStarter(IArtworkStore store, JobRequestFactory requests, ILogger<InboxJobStarter> logger)
{
    /// <summary>Starts the blob's job unless it exists; returns its ID, or null when the blob starts no job.</summary>
    public async Task<string?> StartAsync(IJobClient client, string blobName, string etag, CancellationToken cancellationToken = default)
    {
        var entry = InboxConventions.Parse(blobName, out var ignoredBecause);
        if (entry is null)
        {
            logger.LogDebug("Inbox blob {Blob} ignored: {Reason}", blobName, ignoredBecause);
            return null;
        }

        var jobId = JobIds.ForInboxBlob(entry.Kind, blobName, etag);
        var style = entry.StyleName is null ? (BlobRef?)null : await InboxConventions.ResolveStyleAsync(store, entry.StyleName, cancellationToken).ConfigureAwait(false);
        var request = requests.Create(entry.Kind, InboxConventions.Source(entry), style, InboxConventions.Sidecar(entry), "{}", JobOrigins.Inbox);
        if (await client.StartAsync(jobId, request, cancellationToken).ConfigureAwait(false))
        {
            logger.LogInformation("Inbox blob {Blob} started job {JobId}.", blobName, jobId);
        }
        else
        {
            logger.LogDebug("Inbox blob {Blob}: job {JobId} already exists.", blobName, jobId);
        }

        return jobId;
    }
}
