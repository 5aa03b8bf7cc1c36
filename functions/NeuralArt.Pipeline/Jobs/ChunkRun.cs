using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>
/// One chunk as it ran: the iterations it covered, which process ran it and when. Written by the
/// chunk itself next to its checkpoint and collected into <c>job.json</c> (<c>chunkRuns</c>), so a
/// job run across several hosts or workers says which one did what, and how long each took.
/// </summary>
public sealed record ChunkRun(
    [property: JsonPropertyName("fromIteration")] int FromIteration,
    [property: JsonPropertyName("toIteration")] int ToIteration,
    [property: JsonPropertyName("runner")] string Runner,
    [property: JsonPropertyName("startedAt")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("finishedAt")] DateTimeOffset FinishedAt,
    [property: JsonPropertyName("computeSeconds")] double ComputeSeconds,
    [property: JsonPropertyName("frames")] int Frames);
