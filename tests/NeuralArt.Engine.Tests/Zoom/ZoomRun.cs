using NeuralArt.Contract;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Engine.Zoom;

namespace NeuralArt.Engine.Tests.Zoom;

/// <summary>Runs a zoom to the end as a host would: chunk after chunk, keeping the frames each hands over.</summary>
internal static class ZoomRun
{
    public static async Task<(EngineCheckpoint Last, MemoryOutputs Outputs, int Chunks)> ToEndAsync(
        ZoomEngine engine, EngineCheckpoint start, Func<int, int> chunkSize)
    {
        var outputs = new MemoryOutputs();
        var current = start;
        var chunks = 0;
        while (!current.Progress.IsComplete)
        {
            current = await engine.RunChunkAsync(current.State, chunkSize(chunks++));
            outputs.Take(current);
        }
        return (current, outputs, chunks);
    }
}
