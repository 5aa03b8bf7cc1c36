using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Admission;

/// <summary>
/// At most <see cref="JobLimitsOptions.MaxRunningJobs"/> jobs run per storage account (the slot blobs live
/// in its <c>jobs</c> container, so every host and every task hub on the account shares them): a
/// job runs only while it holds one of that many slot blobs, created with If-None-Match (atomic in
/// storage, so two hosts never take the same slot) and deleted when the job ends. Inbox jobs beyond
/// the cap wait in a queue of small blobs named by arrival time and are admitted head first; HTTP
/// jobs get 429 instead, and never jump a waiting queue. Slots and queue entries of jobs that
/// vanished (a host killed mid-job, an instance purged) go stale and are reclaimed.
/// </summary>
public sealed class AdmissionControl(IArtworkStore store, IOptions<JobLimitsOptions> limits, TimeProvider clock, ILogger<AdmissionControl> logger)
{
    public const string SlotsPrefix = "_admission/slots/";
    public const string QueuePrefix = "_admission/queue/";

    /// <summary>A waiting job refreshes its queue entry on every poll; one unrefreshed for this many polls has gone.</summary>
    private const int StalePolls = 6;

    private readonly JobLimitsOptions caps = limits.Value;

    /// <summary>A slot older than a job may live (its deadline plus a chunk in flight) belongs to a job that is gone.</summary>
    private TimeSpan SlotStaleAfter => caps.JobDeadline + 2 * caps.FunctionTimeout;

    /// <summary>Takes a free slot for <paramref name="jobId"/>; false when all are held by live jobs.</summary>
    public async Task<bool> TryAcquireAsync(string jobId, CancellationToken cancellationToken)
    {
        var content = JsonSerializer.SerializeToUtf8Bytes(new Slot(jobId, clock.GetUtcNow()));
        for (var i = 0; i < caps.MaxRunningJobs; i++)
        {
            if (await store.TryCreateAsync(SlotBlob(i), content, "application/json", cancellationToken).ConfigureAwait(false)) return true;
        }

        // All taken: reclaim one whose job cannot still be running, then take it.
        for (var i = 0; i < caps.MaxRunningJobs; i++)
        {
            var stored = await store.ReadAsync(SlotBlob(i), 4096, cancellationToken).ConfigureAwait(false);
            if (stored is null || Read(stored.Content) is not { } slot || clock.GetUtcNow() - slot.TakenAt < SlotStaleAfter) continue;
            if (await store.DeleteIfMatchAsync(SlotBlob(i), stored.ETag, cancellationToken).ConfigureAwait(false))
            {
                logger.LogWarning("Admission slot {Slot} of job {JobId} was stale (taken {TakenAt:o}); reclaimed.", i, slot.JobId, slot.TakenAt);
            }

            if (await store.TryCreateAsync(SlotBlob(i), content, "application/json", cancellationToken).ConfigureAwait(false)) return true;
        }

        return false;
    }

    /// <summary>Frees every slot <paramref name="jobId"/> holds and its queue entry (idempotent; called when a job ends).</summary>
    public async Task ReleaseAsync(string jobId, CancellationToken cancellationToken)
    {
        await foreach (var blob in store.ListAsync(StorageLayout.JobsContainer, SlotsPrefix, cancellationToken).ConfigureAwait(false))
        {
            var stored = await store.ReadAsync(blob.Blob, 4096, cancellationToken).ConfigureAwait(false);
            if (stored is not null && Read(stored.Content)?.JobId == jobId)
            {
                await store.DeleteIfMatchAsync(blob.Blob, stored.ETag, cancellationToken).ConfigureAwait(false);
            }
        }

        await foreach (var entry in store.ListAsync(StorageLayout.JobsContainer, QueuePrefix, cancellationToken).ConfigureAwait(false))
        {
            if (JobOfEntry(entry.Blob) == jobId) await store.DeleteAsync(entry.Blob, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether any live job waits in the queue (HTTP jobs do not overtake it).</summary>
    public async Task<bool> HasWaitingAsync(CancellationToken cancellationToken) =>
        (await LiveQueueAsync(cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>Puts <paramref name="jobId"/> at the end of the queue; false when the queue is full.</summary>
    public async Task<bool> EnqueueAsync(string jobId, CancellationToken cancellationToken)
    {
        var queue = await LiveQueueAsync(cancellationToken).ConfigureAwait(false);
        if (queue.Any(e => JobOfEntry(e.Blob) == jobId)) return true;
        if (queue.Count >= caps.MaxQueuedJobs) return false;
        var name = string.Create(CultureInfo.InvariantCulture, $"{QueuePrefix}{clock.GetUtcNow().UtcTicks:D19}-{jobId}");
        await store.WriteAsync(new BlobRef(StorageLayout.JobsContainer, name), Encoding.UTF8.GetBytes(jobId), "text/plain", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A waiting job's poll: refreshes its queue entry, and takes a slot when it is the oldest live
    /// waiting job and one is free (then leaves the queue). Arrival order is kept.
    /// </summary>
    public async Task<bool> TryAdmitQueuedAsync(string jobId, CancellationToken cancellationToken)
    {
        var queue = await LiveQueueAsync(cancellationToken).ConfigureAwait(false);
        var mine = queue.FirstOrDefault(e => JobOfEntry(e.Blob) == jobId);
        if (mine is null)
        {
            // Not queued (or reclaimed as stale after a long outage): join the end, arrival order from now.
            if (!await EnqueueAsync(jobId, cancellationToken).ConfigureAwait(false)) return false;
            queue = await LiveQueueAsync(cancellationToken).ConfigureAwait(false);
            mine = queue.FirstOrDefault(e => JobOfEntry(e.Blob) == jobId);
            if (mine is null) return false;
        }

        // Refresh: the entry's last change tells others this job is still polling.
        await store.WriteAsync(mine.Blob, Encoding.UTF8.GetBytes(jobId), "text/plain", cancellationToken).ConfigureAwait(false);
        if (queue[0].Blob != mine.Blob || !await TryAcquireAsync(jobId, cancellationToken).ConfigureAwait(false)) return false;
        await store.DeleteAsync(mine.Blob, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The queue in arrival order, with entries no job has refreshed for a while removed.</summary>
    private async Task<List<BlobInfo>> LiveQueueAsync(CancellationToken cancellationToken)
    {
        var staleBefore = clock.GetUtcNow() - StalePolls * caps.AdmissionPollInterval;
        var live = new List<BlobInfo>();
        await foreach (var entry in store.ListAsync(StorageLayout.JobsContainer, QueuePrefix, cancellationToken).ConfigureAwait(false))
        {
            if (entry.LastModified is { } changed && changed < staleBefore)
            {
                await store.DeleteIfMatchAsync(entry.Blob, entry.ETag, cancellationToken).ConfigureAwait(false);
                continue;
            }

            live.Add(entry);
        }

        return [.. live.OrderBy(e => e.Blob.Name, StringComparer.Ordinal)];
    }

    private static string JobOfEntry(BlobRef entry) => entry.Name[(entry.Name.IndexOf('-', QueuePrefix.Length) + 1)..];

    private static BlobRef SlotBlob(int index) =>
        new(StorageLayout.JobsContainer, string.Create(CultureInfo.InvariantCulture, $"{SlotsPrefix}{index:D4}"));

    private static Slot? Read(byte[] content)
    {
        try
        {
            return JsonSerializer.Deserialize<Slot>(content);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Slot(string JobId, DateTimeOffset TakenAt);
}
