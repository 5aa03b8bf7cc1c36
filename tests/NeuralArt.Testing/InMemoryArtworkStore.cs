using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Testing;

/// <summary>An <see cref="IArtworkStore"/> in memory, for orchestration tests that need no Azurite.</summary>
public sealed class InMemoryArtworkStore : IArtworkStore
{
    private readonly ConcurrentDictionary<string, StoredBlob> blobs = new(StringComparer.Ordinal);
    private long version;

    /// <summary>Called before each write with the blob; throw from it to inject a storage fault.</summary>
    public Action<BlobRef>? BeforeWrite { get; set; }

    public IReadOnlyCollection<string> Names => [.. blobs.Keys.Order(StringComparer.Ordinal)];

    public bool Exists(BlobRef blob) => blobs.ContainsKey(blob.ToString());

    public byte[] Get(BlobRef blob) => blobs[blob.ToString()].Content;

    public void Put(BlobRef blob, byte[] content) =>
        blobs[blob.ToString()] = new StoredBlob(content, $"\"0x{Interlocked.Increment(ref version):X}\"");

    public Task<StoredBlob?> ReadAsync(BlobRef blob, long maxBytes, CancellationToken cancellationToken = default)
    {
        if (!blobs.TryGetValue(blob.ToString(), out var stored))
        {
            return Task.FromResult<StoredBlob?>(null);
        }

        if (stored.Content.Length > maxBytes)
        {
            throw new BlobTooLargeException(blob, stored.Content.Length, maxBytes);
        }

        return Task.FromResult<StoredBlob?>(stored);
    }

    public Task<BlobInfo?> GetInfoAsync(BlobRef blob, CancellationToken cancellationToken = default) =>
        Task.FromResult(blobs.TryGetValue(blob.ToString(), out var stored) ? new BlobInfo(blob, stored.Content.Length, stored.ETag) : null);

    public Task WriteAsync(BlobRef blob, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        BeforeWrite?.Invoke(blob);
        Put(blob, content.ToArray());
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var start = $"{container}/{prefix}";
        foreach (var (name, stored) in blobs.ToArray().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name.StartsWith(start, StringComparison.Ordinal))
            {
                yield return new BlobInfo(BlobRef.Parse(name), stored.Content.Length, stored.ETag);
            }
        }
    }

    public Task DeleteAsync(BlobRef blob, CancellationToken cancellationToken = default)
    {
        blobs.TryRemove(blob.ToString(), out _);
        return Task.CompletedTask;
    }

    public Task<bool> TryCreateAsync(BlobRef blob, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        BeforeWrite?.Invoke(blob);
        var created = blobs.TryAdd(blob.ToString(), new StoredBlob(content.ToArray(), $"\"0x{Interlocked.Increment(ref version):X}\""));
        return Task.FromResult(created);
    }

    public Task<bool> DeleteIfMatchAsync(BlobRef blob, string etag, CancellationToken cancellationToken = default) =>
        Task.FromResult(blobs.TryGetValue(blob.ToString(), out var stored) && stored.ETag == etag
            && blobs.TryRemove(new KeyValuePair<string, StoredBlob>(blob.ToString(), stored)));

    public Task<byte[]?> ReadPrefixAsync(BlobRef blob, int maxBytes, CancellationToken cancellationToken = default) =>
        Task.FromResult(blobs.TryGetValue(blob.ToString(), out var stored) ? stored.Content.AsSpan(0, Math.Min(maxBytes, stored.Content.Length)).ToArray() : null);

    public Task<Uri?> GetReadLinkAsync(BlobRef blob, TimeSpan lifetime, CancellationToken cancellationToken = default) =>
        Task.FromResult<Uri?>(new Uri($"memory://{blob}"));
}
