using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Activities;

namespace NeuralArt.Pipeline.Chunks;

/// <summary>A worker's report of one chunk (the <c>chunk-results</c> queue), raised as the orchestration's event.</summary>
public sealed record ChunkResultMessage(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("chunk")] int Chunk,
    [property: JsonPropertyName("dispatch")] int Dispatch,
    [property: JsonPropertyName("worker")] string Worker,
    [property: JsonPropertyName("outcome")] ChunkOutcome Outcome);
