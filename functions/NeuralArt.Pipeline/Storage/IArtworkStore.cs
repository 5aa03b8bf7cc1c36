namespace NeuralArt.Pipeline.Storage;

/// <summary>
/// The few blob operations the pipeline needs. <see cref="BlobArtworkStore"/> implements it over
/// Azure Blob Storage (Azurite locally); tests may use an in-memory one.
/// </summary>
public interface IArtworkStore
{
    /// <summary>Reads a blob whole; null when it does not exist. Throws <see cref="BlobTooLargeException"/> past <paramref name="maxBytes"/>.</summary>
    Task<StoredBlob?> ReadAsync(BlobRef blob, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary>Size and ETag; null when the blob does not exist.</summary>
    Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken = default);

    Task WriteAsync(BlobRef blob, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default);

    /// <summary>Blobs in <paramref name="container"/> whose names start with <paramref name="prefix"/>.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob if it exists.</summary>
    Task DeleteAsync(BlobRef blob, CancellationToken cancellationToken = default);

    /// <summary>Creates the blob only if it does not exist (atomic across hosts); false when it already did.</summary>
    Task<bool> TryCreateAsync(BlobRef blob, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob only if its ETag is still <paramref name="etag"/>; false when it changed or is gone.</summary>
    Task<bool> DeleteIfMatchAsync(BlobRef blob, string etag, CancellationToken cancellationToken = default);

    /// <summary>The first <paramref name="maxBytes"/> bytes of a blob (all of it when shorter), for header checks; null when it does not exist.</summary>
    Task<byte[]?> ReadPrefixAsync(BlobRef blob, int maxBytes, CancellationToken cancellationToken = default);

    /// <summary>A URL a client can read the blob from for <paramref name="lifetime"/> (a SAS link), or null when none can be made.</summary>
    Task<Uri?> GetReadLinkAsync(BlobRef blob, TimeSpan lifetime, CancellationToken cancellationToken = default);
}

public sealed record StoredBlob(byte[] Content, string ETag);

/// <summary>A blob's size, ETag and (where the store reports it) last change.</summary>
public sealed record BlobInfo(BlobRef Blob, long Size, string ETag, DateTimeOffset? LastModified = null);

/// <summary>A blob is larger than the pipeline is willing to read.</summary>
public sealed class BlobTooLargeException(BlobRef blob, long size, long limit)
    : Exception($"'{blob}' is {size} bytes, more than the limit of {limit} bytes.")
{
    public BlobRef Blob { get; } = blob;
    public long Size { get; } = size;
    public long Limit { get; } = limit;
}
