namespace NeuralArt.Contract;

/// <summary>
/// Where an engine's final step (<see cref="IArtworkEngine.FinishAsync"/>) writes a job's files, and
/// where it reads back the frames its chunks emitted: blob storage in the pipeline, a folder in the CLI.
/// </summary>
public interface IEngineOutputs
{
    /// <summary>Writes <paramref name="file"/> (an <see cref="OutputDescriptor.File"/>) under the job's outputs.</summary>
    Task WriteAsync(string file, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default);

    /// <summary>The PNG bytes of frame <paramref name="index"/>, as a chunk emitted it.</summary>
    Task<byte[]> ReadFrameAsync(int index, CancellationToken cancellationToken = default);
}
