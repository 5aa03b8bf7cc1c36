using NeuralArt.Contract;

namespace NeuralArt.Pipeline.Storage;

/// <summary>
/// An engine's final step writing into <c>outputs/{id}/</c> and reading back the frames its chunks
/// handed over. Remembers what it wrote, so that the job's record lists exactly the files that exist.
/// </summary>
public sealed class BlobEngineOutputs(IArtworkStore store, string jobId, long maxFrameBytes) : IEngineOutputs
{
    private readonly List<string> written = [];

    /// <summary>The files written so far, in order (<see cref="OutputDescriptor.File"/> names).</summary>
    public IReadOnlyList<string> Written => written;

    public async Task WriteAsync(string file, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        if (!StorageLayout.IsValidBlobName(file)) throw new ArgumentException($"'{file}' is not a valid output file name.", nameof(file));
        await store.WriteAsync(StorageLayout.Output(jobId, file), content, contentType, cancellationToken).ConfigureAwait(false);
        written.Add(file);
    }

    public async Task<byte[]> ReadFrameAsync(int index, CancellationToken cancellationToken = default)
    {
        var frame = StorageLayout.Frame(jobId, index);
        var stored = await store.ReadAsync(frame, maxFrameBytes, cancellationToken).ConfigureAwait(false);
        return stored?.Content ?? throw new InvalidArtworkInputException($"Frame {index} of the job is missing from its outputs.", OutputKinds.Frames);
    }
}
