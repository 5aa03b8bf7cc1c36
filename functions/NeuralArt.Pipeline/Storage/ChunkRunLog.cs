using System.Text.Json;
using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Storage;

/// <summary>
/// The chunk records of a job in <c>jobs/{id}/runs/</c>, one small blob per chunk named by the
/// checkpoint it started from, so a chunk delivered twice writes the same name and the log never
/// counts it twice. The folder goes with the job's checkpoints when the job ends.
/// </summary>
public sealed class ChunkRunLog(IArtworkStore store)
{
    /// <summary>A record is a few hundred bytes; anything bigger is not one of ours.</summary>
    private const long MaxRecordBytes = 4096;

    /// <summary>Records read into job.json at most (a job of more chunks keeps its first ones: job.json stays small).</summary>
    public const int MaxListed = 10_000;

    public Task WriteAsync(string jobId, CheckpointKey from, ChunkRun run, CancellationToken cancellationToken) =>
        store.WriteAsync(StorageLayout.ChunkRun(jobId, from), JsonSerializer.SerializeToUtf8Bytes(run), "application/json", cancellationToken);

    /// <summary>The job's chunk records in iteration order.</summary>
    public async Task<IReadOnlyList<ChunkRun>> ListAsync(string jobId, CancellationToken cancellationToken)
    {
        var blobs = new List<BlobRef>();
        await foreach (var info in store.ListAsync(StorageLayout.JobsContainer, StorageLayout.ChunkRunPrefix(jobId), cancellationToken).ConfigureAwait(false))
        {
            blobs.Add(info.Blob);
            if (blobs.Count >= MaxListed) break;
        }

        var runs = new List<ChunkRun>(blobs.Count);
        foreach (var blob in blobs)
        {
            var stored = await store.ReadAsync(blob, MaxRecordBytes, cancellationToken).ConfigureAwait(false);
            if (stored is null) continue;
            try
            {
                if (JsonSerializer.Deserialize<ChunkRun>(stored.Content) is { } run) runs.Add(run);
            }
            catch (JsonException)
            {
                // A damaged record is left out of job.json; it is bookkeeping, not the picture.
            }
        }

        return [.. runs.OrderBy(r => r.FromIteration).ThenBy(r => r.StartedAt)];
    }
}
