using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace NeuralArt.Pipeline.Storage;

/// <summary><see cref="IArtworkStore"/> over Azure Blob Storage (or Azurite).</summary>
public sealed class BlobArtworkStore(BlobServiceClient service) : IArtworkStore
{
    /// <summary>A user delegation key is asked for this long and reused while it has more than <see cref="DelegationKeyMargin"/> left.</summary>
    private static readonly TimeSpan DelegationKeyLifetime = TimeSpan.FromHours(1);

    private static readonly TimeSpan DelegationKeyMargin = TimeSpan.FromMinutes(20);

    /// <summary>Allow for clock skew between this host and storage.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private UserDelegationKey? _delegationKey;

    /// <summary>Creates the pipeline's containers if they are missing.</summary>
    public async Task EnsureContainersAsync(CancellationToken cancellationToken = default)
    {
        foreach (var container in StorageLayout.Containers)
        {
            await service.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<StoredBlob?> ReadAsync(BlobRef blob, long maxBytes, CancellationToken cancellationToken = default)
    {
        var client = Client(blob);
        try
        {
            // Check the size first so that an oversized blob is never pulled into memory.
            var properties = (await client.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (properties.ContentLength > maxBytes)
            {
                throw new BlobTooLargeException(blob, properties.ContentLength, maxBytes);
            }

            var conditions = new BlobRequestConditions { IfMatch = properties.ETag };
            var content = await client.DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return new StoredBlob(content.Value.Content.ToArray(), properties.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = (await Client(blob).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new BlobInfo(blob, properties.ContentLength, properties.ETag.ToString(), properties.LastModified);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task WriteAsync(BlobRef blob, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } };
        await Client(blob).UploadAsync(BinaryData.FromBytes(content), options, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var containerClient = service.GetBlobContainerClient(container);
        await foreach (var item in containerClient.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return new BlobInfo(new BlobRef(container, item.Name), item.Properties.ContentLength ?? 0, item.Properties.ETag?.ToString() ?? string.Empty, item.Properties.LastModified);
        }
    }

    public async Task DeleteAsync(BlobRef blob, CancellationToken cancellationToken = default) =>
        await Client(blob).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    public async Task<bool> TryCreateAsync(BlobRef blob, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            await Client(blob).UploadAsync(BinaryData.FromBytes(content), options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task<bool> DeleteIfMatchAsync(BlobRef blob, string etag, CancellationToken cancellationToken = default)
    {
        try
        {
            var conditions = new BlobRequestConditions { IfMatch = new ETag(etag) };
            return (await Client(blob).DeleteIfExistsAsync(conditions: conditions, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    public async Task<byte[]?> ReadPrefixAsync(BlobRef blob, int maxBytes, CancellationToken cancellationToken = default)
    {
        try
        {
            var options = new BlobDownloadOptions { Range = new HttpRange(0, maxBytes) };
            var content = await Client(blob).DownloadContentAsync(options, cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return []; // An empty blob has no range to read.
        }
    }

    public async Task<Uri?> GetReadLinkAsync(BlobRef blob, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        var client = Client(blob);
        var expiresOn = DateTimeOffset.UtcNow.Add(lifetime);
        if (client.CanGenerateSasUri)
        {
            // Shared key (connection string, Azurite): sign locally.
            return client.GenerateSasUri(BlobSasPermissions.Read, expiresOn);
        }

        try
        {
            // Entra ID (managed identity in Azure): sign with a user delegation key.
            var key = await DelegationKeyAsync(expiresOn, cancellationToken).ConfigureAwait(false);
            var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
            {
                BlobContainerName = blob.Container,
                BlobName = blob.Name,
                Resource = "b",
            };
            var uri = new BlobUriBuilder(client.Uri) { Sas = sas.ToSasQueryParameters(key, service.AccountName) };
            return uri.ToUri();
        }
        catch (RequestFailedException)
        {
            return null;
        }
    }

    /// <summary>
    /// A user delegation key valid past <paramref name="until"/>: one round trip to storage per key
    /// lifetime instead of one per link (a listing makes dozens of links).
    /// </summary>
    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        if (_delegationKey is { } cached && cached.SignedExpiresOn - DelegationKeyMargin > until) return cached;
        await _keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_delegationKey is { } again && again.SignedExpiresOn - DelegationKeyMargin > until) return again;
            var now = DateTimeOffset.UtcNow;
            var expires = now + DelegationKeyLifetime > until + DelegationKeyMargin ? now + DelegationKeyLifetime : until + DelegationKeyMargin;
            _delegationKey = (await service.GetUserDelegationKeyAsync(now - ClockSkew, expires, cancellationToken).ConfigureAwait(false)).Value;
            return _delegationKey;
        }
        finally
        {
            _keyLock.Release();
        }
    }

    private BlobClient Client(BlobRef blob) => service.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name);
}
