using System.Buffers.Binary;

using System.Text.Json;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Activities;

namespace NeuralArt.Pipeline.Storage;

/// <summary>
/// A job's checkpoints in <c>jobs/{id}/checkpoints/</c>. Each blob is an envelope: a small JSON header
/// (the progress, so a resumed chunk can report where a checkpoint stands without running the
/// engine) followed by the engine's opaque state bytes.
/// </summary>
public sealed class CheckpointStore(IArtworkStore store)
{
    private static readonly byte[] Magic = "NACKPT1\n"u8.ToArray();
    private const int LengthPrefixBytes = sizeof(int);

    /// <summary>Checkpoints are engine state (a few float images); refuse anything absurd.</summary>
    private const long MaxCheckpointBytes = 2L * 1024 * 1024 * 1024 - 1;

    public async Task<BlobRef> WriteAsync(string jobId, EngineCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var progress = ProgressSnapshot.From(checkpoint.Progress);
        var blob = StorageLayout.Checkpoint(jobId, progress.Key);
        await store.WriteAsync(blob, Encode(progress, checkpoint.State), "application/octet-stream", cancellationToken).ConfigureAwait(false);
        return blob;
    }

    public async Task<(ProgressSnapshot Progress, byte[] State)?> ReadAsync(BlobRef blob, CancellationToken cancellationToken)
    {
        var stored = await store.ReadAsync(blob, MaxCheckpointBytes, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Decode(blob, stored.Content);
    }

    /// <summary>The furthest checkpoint of the job, or null when it has none.</summary>
    public async Task<(BlobRef Blob, CheckpointKey Key)?> FindLatestAsync(string jobId, CancellationToken cancellationToken)
    {
        (BlobRef, CheckpointKey)? latest = null;
        await foreach (var info in ListAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            if (latest is null || info.Key > latest.Value.Item2)
            {
                latest = info;
            }
        }

        return latest;
    }

    /// <summary>Deletes the job's checkpoints that come before <paramref name="keepFrom"/> (all of them when null).</summary>
    public async Task DeleteOlderAsync(string jobId, CheckpointKey? keepFrom, CancellationToken cancellationToken)
    {
        var doomed = new List<BlobRef>();
        await foreach (var (blob, key) in ListAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            if (keepFrom is null || key < keepFrom.Value)
            {
                doomed.Add(blob);
            }
        }

        foreach (var blob in doomed)
        {
            await store.DeleteAsync(blob, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes everything the job keeps under <c>jobs/{id}/</c>: checkpoints and attempt markers.</summary>
    public async Task DeleteAllAsync(string jobId, CancellationToken cancellationToken)
    {
        var doomed = new List<BlobRef>();
        await foreach (var info in store.ListAsync(StorageLayout.JobsContainer, jobId + "/", cancellationToken).ConfigureAwait(false))
        {
            doomed.Add(info.Blob);
        }

        foreach (var blob in doomed)
        {
            await store.DeleteAsync(blob, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Counts a start of the chunk that begins at <paramref name="from"/> and returns how many starts
    /// it has had. A chunk that kills its worker (out of memory, a crash) never reports back, so the
    /// Durable runtime redelivers it; the count lets the chunk refuse to start once too often.
    /// </summary>
    public async Task<int> RecordAttemptAsync(string jobId, CheckpointKey from, CancellationToken cancellationToken)
    {
        var blob = new BlobRef(StorageLayout.JobsContainer, $"{jobId}/attempts/{from.ToFileName()}");
        var stored = await store.ReadAsync(blob, MaxAttemptMarkerBytes, cancellationToken).ConfigureAwait(false);
        var count = stored is not null && int.TryParse(System.Text.Encoding.ASCII.GetString(stored.Content), out var previous) ? previous + 1 : 1;
        await store.WriteAsync(blob, System.Text.Encoding.ASCII.GetBytes(count.ToString(System.Globalization.CultureInfo.InvariantCulture)), "text/plain", cancellationToken).ConfigureAwait(false);
        return count;
    }

    private const int MaxAttemptMarkerBytes = 64;

    public static bool TryGetKey(BlobRef blob, out CheckpointKey key) => StorageLayout.TryParseCheckpoint(blob.Name, out key);

    private async IAsyncEnumerable<(BlobRef Blob, CheckpointKey Key)> ListAsync(string jobId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var info in store.ListAsync(StorageLayout.JobsContainer, StorageLayout.CheckpointPrefix(jobId), cancellationToken).ConfigureAwait(false))
        {
            if (StorageLayout.TryParseCheckpoint(info.Blob.Name, out var key))
            {
                yield return (info.Blob, key);
            }
        }
    }

    internal static byte[] Encode(ProgressSnapshot progress, byte[] state)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(progress);
        var buffer = new byte[Magic.Length + LengthPrefixBytes + header.Length + state.Length];
        Magic.CopyTo(buffer, 0);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(Magic.Length), header.Length);
        header.CopyTo(buffer, Magic.Length + LengthPrefixBytes);
        state.CopyTo(buffer, Magic.Length + LengthPrefixBytes + header.Length);
        return buffer;
    }

    internal static (ProgressSnapshot Progress, byte[] State) Decode(BlobRef blob, byte[] content)
    {
        if (content.Length < Magic.Length + LengthPrefixBytes || !content.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{blob}' is not a NeuralArt checkpoint.");
        }

        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(content.AsSpan(Magic.Length));
        var stateOffset = Magic.Length + LengthPrefixBytes + headerLength;
        if (headerLength <= 0 || stateOffset > content.Length)
        {
            throw new InvalidDataException($"'{blob}' has a damaged checkpoint header.");
        }

        var progress = JsonSerializer.Deserialize<ProgressSnapshot>(content.AsSpan(Magic.Length + LengthPrefixBytes, headerLength))
            ?? throw new InvalidDataException($"'{blob}' has an empty checkpoint header.");
        return (progress, content[stateOffset..]);
    }

}
