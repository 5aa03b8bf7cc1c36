using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Chunks;

/// <summary>
/// A job's chunks run on queue workers (part of <see cref="Jobs.JobRequest"/>, fixed at submission so
/// that replays agree): how long one dispatch may take, and how many dispatches before the job fails.
/// </summary>
public sealed record QueuedExecution
{
    [JsonPropertyName("resultDeadlineSeconds")] public double ResultDeadlineSeconds { get; init; } = 360;

    [JsonPropertyName("maxDispatches")] public int MaxDispatches { get; init; } = 3;
}
