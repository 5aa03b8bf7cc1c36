using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using NeuralArt.Pipeline.Chunks;

namespace NeuralArt.Host;

/// <summary>
/// The storage clients of a local host or worker: from <see cref="LocalHostOptions.StorageConnectionString"/>
/// (Azurite, or any account's key), or, where <see cref="LocalHostOptions.StorageAccountName"/> is set, the
/// account's endpoints with a managed identity (the GPU job in Azure holds no key).
/// </summary>
internal static class StorageClients
{
    public static BlobServiceClient Blobs(LocalHostOptions options) => options.StorageAccountName is { Length: > 0 } account
        ? new BlobServiceClient(new Uri($"https://{account}.blob.core.windows.net"), Credential(options))
        : new BlobServiceClient(options.StorageConnectionString);

    public static QueueServiceClient Queues(LocalHostOptions options) => options.StorageAccountName is { Length: > 0 } account
        ? new QueueServiceClient(new Uri($"https://{account}.queue.core.windows.net"), Credential(options), ChunkQueues.ClientOptions)
        : new QueueServiceClient(options.StorageConnectionString, ChunkQueues.ClientOptions);

    private static TokenCredential Credential(LocalHostOptions options) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = options.ManagedIdentityClientId });
}
