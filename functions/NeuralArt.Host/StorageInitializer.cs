using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Host;

/// <summary>
/// Creates the pipeline's containers before anything else starts, and lets the dashboard's origin
/// (this host's URL) upload to and read from the emulator's blob service (storage CORS).
/// </summary>
internal sealed class StorageInitializer(BlobArtworkStore store, IOptions<LocalHostOptions> options, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.EnsureContainersAsync(cancellationToken).ConfigureAwait(false);
        if (!store.BlobEndpoint.IsLoopback)
        {
            // A real account's CORS is the infrastructure's to set (docs/dashboard.md, "Storage CORS"); never changed from here.
            logger.LogInformation("Storage is not local: the dashboard's uploads need a CORS rule for {Origin} on the account.", StorageCors.Origin(options.Value.Url));
            return;
        }

        await store.AllowBrowserOriginAsync(StorageCors.Origin(options.Value.Url), cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
