using System.Text.Json.Serialization;

namespace NeuralArt.Contract;

/// <summary>
/// The outcome of an engine's plan step: the effective parameters (every default filled in, the
/// seed drawn, the model and taps resolved; submitting them again reproduces the job), what one
/// stage of each is (<see cref="Stages"/>, e.g. the octave sizes), and the job's <see cref="Cost"/>.
/// </summary>
public sealed record JobPlan
{
    /// <summary>The effective parameters as a JSON object text.</summary>
    [JsonPropertyName("parameters")] public required string ParametersJson { get; init; }

    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>Width and height of the working image at each stage.</summary>
    [JsonPropertyName("stages")] public required IReadOnlyList<StageSize> Stages { get; init; }

    [JsonPropertyName("cost")] public required JobCost Cost { get; init; }
}
