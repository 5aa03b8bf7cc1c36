using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace NeuralArt.Functions;

/// <summary>
/// The app's storage: the Functions host's own account setting, either a connection string
/// (<c>AzureWebJobsStorage</c>, Azurite locally) or the identity-based form the infra deploys
/// (<c>AzureWebJobsStorage__accountName</c> / <c>__blobServiceUri</c>, <c>__clientId</c>).
/// </summary>
public static class StorageSettings
{
    /// <summary>The app setting holding the storage connection (also used by the triggers and Durable).</summary>
    public const string ConnectionSetting = "AzureWebJobsStorage";

    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration)
    {
        if (configuration[ConnectionSetting] is { Length: > 0 } connectionString)
        {
            return new BlobServiceClient(connectionString);
        }

        var section = configuration.GetSection(ConnectionSetting);
        var endpoint = section["blobServiceUri"]
            ?? (section["accountName"] is { Length: > 0 } account ? $"https://{account}.blob.core.windows.net" : null);
        if (endpoint is null)
        {
            return new BlobServiceClient(DevelopmentStorage);
        }

        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
        return new BlobServiceClient(new Uri(endpoint), credential);
    }
}
