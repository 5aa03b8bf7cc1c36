using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using NeuralArt.Pipeline.Chunks;

namespace NeuralArt.Functions;

/// <summary>
/// The app's two storage connections, each either a connection string (Azurite locally) or the
/// identity-based form the infra deploys (<c>&lt;name&gt;__blobServiceUri</c> or
/// <c>&lt;name&gt;__accountName</c>, plus <c>__credential</c> and <c>__clientId</c>):
/// <list type="bullet">
/// <item><see cref="HostConnection"/> (<c>AzureWebJobsStorage</c>): the Functions host's own account
/// (Durable task hub queues and tables, leases, keys). Only the app reaches it.</item>
/// <item><see cref="DataConnection"/> (<c>NeuralArtData</c>): the pipeline's account (inbox, styles,
/// uploads, outputs, jobs and the inbox event queue), where people upload and read results.</item>
/// </list>
/// Where <see cref="DataConnection"/> is not configured at all, the data lives on the host's
/// connection: a developer's Azurite keeps working with the one <c>AzureWebJobsStorage</c> setting.
/// </summary>
public static class StorageSettings
{
    /// <summary>The Functions host's storage (task hub, leases); also the Durable extension's connection.</summary>
    public const string HostConnection = "AzureWebJobsStorage";

    /// <summary>The pipeline's blob containers and the inbox event queue; the inbox trigger's connection.</summary>
    public const string DataConnection = "NeuralArtData";

    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    // Identity-based connection keys, as the Functions extensions read them (<name>__<key>).
    private const string BlobServiceUriKey = "blobServiceUri";
    private const string QueueServiceUriKey = "queueServiceUri";
    private const string AccountNameKey = "accountName";
    private const string ClientIdKey = "clientId";

    /// <summary>The client for the pipeline's containers: <see cref="DataConnection"/>, else <see cref="HostConnection"/>.</summary>
    public static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration) =>
        CreateBlobServiceClient(configuration, IsConfigured(configuration, DataConnection) ? DataConnection : HostConnection);

    /// <summary>Whether <paramref name="connection"/> has a value or any identity-based key.</summary>
    public static bool IsConfigured(IConfiguration configuration, string connection) =>
        configuration[connection] is { Length: > 0 } || configuration.GetSection(connection).GetChildren().Any();

    /// <summary>The client for the chunk queues (the queued executor): on the same connection as the pipeline's containers.</summary>
    public static QueueServiceClient CreateQueueServiceClient(IConfiguration configuration)
    {
        var connection = IsConfigured(configuration, DataConnection) ? DataConnection : HostConnection;
        if (configuration[connection] is { Length: > 0 } connectionString)
        {
            return new QueueServiceClient(connectionString, ChunkQueues.ClientOptions);
        }

        var section = configuration.GetSection(connection);
        var endpoint = section[QueueServiceUriKey]
            ?? (section[AccountNameKey] is { Length: > 0 } account ? $"https://{account}.queue.core.windows.net" : null);
        return endpoint is null
            ? new QueueServiceClient(DevelopmentStorage, ChunkQueues.ClientOptions)
            : new QueueServiceClient(new Uri(endpoint), Credential(section), ChunkQueues.ClientOptions);
    }

    private static DefaultAzureCredential Credential(IConfigurationSection section) =>
        new(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section[ClientIdKey] });

    private static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration, string connection)
    {
        if (configuration[connection] is { Length: > 0 } connectionString)
        {
            return new BlobServiceClient(connectionString);
        }

        var section = configuration.GetSection(connection);
        var endpoint = section[BlobServiceUriKey]
            ?? (section[AccountNameKey] is { Length: > 0 } account ? $"https://{account}.blob.core.windows.net" : null);
        if (endpoint is null)
        {
            return new BlobServiceClient(DevelopmentStorage);
        }

        return new BlobServiceClient(new Uri(endpoint), Credential(section));
    }
}
