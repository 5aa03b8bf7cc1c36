using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Activities;

namespace NeuralArt.Pipeline.Chunks;

/// <summary>
/// One chunk for a worker (the <c>chunks</c> queue): the job, the chunk's number in the job, which
/// dispatch of it this is, and the RunChunk input (kind, the checkpoint it starts from, its iteration
/// budget, the attempts it may take). Small: blob references only.
/// </summary>
public sealed record ChunkMessage(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("chunk")] int Chunk,
    [property: JsonPropertyName("dispatch")] int Dispatch,
    [property: JsonPropertyName("input")] RunChunkInput Input)
{
    /// <summary>The orchestration's external event for chunk <paramref name="chunk"/>: a late result of an earlier chunk never answers a later one.</summary>
    public static string EventName(int chunk) => $"chunk-{chunk}";
}
