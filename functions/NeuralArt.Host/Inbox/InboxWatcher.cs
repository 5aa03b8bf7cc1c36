using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Inbox;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Host.Inbox;

/// <summary>
/// The local stand-in for the Functions inbox event trigger (Event Grid has no local emulator): polls
/// the inbox container and starts a job for each new (name, ETag), with the same conventions and
/// instance IDs. Hosts watching one inbox together start each job once: the task hub refuses a
/// second instance with the same ID.
/// </summary>
public sealed class InboxWatcher(
    IArtworkStore store,
    IJobClient client,
    InboxJobStarter starter,
    IOptions<LocalHostOptions> options,
    ILogger<InboxWatcher> logger) : BackgroundService
{
    private readonly HashSet<string> handled = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.InboxPollInterval);
        do
        {
            try
            {
                await ScanAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Storage hiccups must not stop the watcher: the next scan tries again.
                logger.LogWarning(e, "Inbox scan failed; retrying in {Interval}.", options.Value.InboxPollInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One pass over the inbox; returns the IDs of the jobs it started or found started.</summary>
    public async Task<IReadOnlyList<string>> ScanAsync(CancellationToken cancellationToken)
    {
        var jobs = new List<string>();
        await foreach (var blob in store.ListAsync(StorageLayout.InboxContainer, string.Empty, cancellationToken).ConfigureAwait(false))
        {
            var key = $"{blob.Blob.Name}\n{blob.ETag}";
            if (handled.Contains(key))
            {
                continue;
            }

            var jobId = await starter.StartAsync(client, blob.Blob.Name, blob.ETag, cancellationToken).ConfigureAwait(false);
            if (jobId is not null)
            {
                jobs.Add(jobId);
            }

            handled.Add(key);
        }

        return jobs;
    }
}
