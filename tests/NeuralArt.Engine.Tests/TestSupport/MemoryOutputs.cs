using NeuralArt.Contract;

namespace NeuralArt.Engine.Tests.TestSupport;

/// <summary>A job's outputs in memory, as a host keeps them: frames as chunks hand them over, files as FinishAsync writes them.</summary>
internal sealed class MemoryOutputs : IEngineOutputs
{
    public Dictionary<string, (byte[] Content, string ContentType)> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Keeps the frames of a chunk under their file names (a frame handed over twice is a bug).</summary>
    public void Take(EngineCheckpoint chunk)
    {
        foreach (var frame in chunk.Frames)
        {
            Assert.True(Files.TryAdd(FrameNames.File(frame.Index), (frame.Png, ContentTypes.Png)), $"frame {frame.Index} was handed over twice");
        }
    }

    public byte[] Frame(int index) => Files[FrameNames.File(index)].Content;

    public int FrameCount => Files.Keys.Count(k => k.StartsWith(FrameNames.Folder + "/", StringComparison.Ordinal));

    public Task WriteAsync(string file, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        Files[file] = (content.ToArray(), contentType);
        return Task.CompletedTask;
    }

    public Task<byte[]> ReadFrameAsync(int index, CancellationToken cancellationToken = default) => Task.FromResult(Frame(index));
}
