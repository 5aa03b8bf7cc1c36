using Microsoft.Extensions.Hosting;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Host;

/// <summary>Creates the pipeline's containers before anything else starts.</summary>
internal sealed class StorageInitializer(BlobArtworkStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.EnsureContainersAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
