using NeuralArt.Contract;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>
/// A job's outputs in a local folder, laid out as the pipeline lays out <c>outputs/{id}/</c>:
/// frames as <c>frames/00000.png</c> when chunks hand them over, final files beside them.
/// </summary>
internal sealed class FolderOutputs : IEngineOutputs
{
    public FolderOutputs(string folder)
    {
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public Task WriteFrameAsync(EngineFrame frame, CancellationToken cancellationToken = default) =>
        WriteAsync(FrameNames.File(frame.Index), frame.Png, ContentTypes.Png, cancellationToken);

    public async Task WriteAsync(string file, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        var path = PathOf(file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content, cancellationToken);
    }

    public Task<byte[]> ReadFrameAsync(int index, CancellationToken cancellationToken = default) =>
        File.ReadAllBytesAsync(PathOf(FrameNames.File(index)), cancellationToken);

    /// <summary>Output names use '/' (they are blob names in the pipeline).</summary>
    public string PathOf(string file) => Path.Combine(Folder, file.Replace('/', Path.DirectorySeparatorChar));
}
