using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>Activity retry settings, fixed at submission (part of the orchestration input, so replays agree).</summary>
public sealed record RetrySettings
{
    [JsonPropertyName("maxAttempts")] public int MaxAttempts { get; init; } = 4;
    [JsonPropertyName("firstRetrySeconds")] public double FirstRetrySeconds { get; init; } = 5;
    [JsonPropertyName("backoff")] public double BackoffCoefficient { get; init; } = 2;
    [JsonPropertyName("maxRetrySeconds")] public double MaxRetrySeconds { get; init; } = 60;
}
