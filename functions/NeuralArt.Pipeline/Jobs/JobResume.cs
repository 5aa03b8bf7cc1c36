using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>
/// Where a job stands when its orchestration continues as new (to keep its history short): the
/// furthest checkpoint and progress, what the chunks so far took, and when the work started.
/// </summary>
public sealed record JobResume
{
    [JsonPropertyName("checkpoint")] public required BlobRef Checkpoint { get; init; }
    [JsonPropertyName("progress")] public required ProgressSnapshot Progress { get; init; }
    [JsonPropertyName("startedAt")] public required DateTimeOffset StartedAt { get; init; }
    [JsonPropertyName("chunks")] public int Chunks { get; init; }
    [JsonPropertyName("computeSeconds")] public double ComputeSeconds { get; init; }
    [JsonPropertyName("secondsPerPixelIteration")] public double? SecondsPerPixelIteration { get; init; }
    [JsonPropertyName("preview")] public BlobRef? Preview { get; init; }
}
