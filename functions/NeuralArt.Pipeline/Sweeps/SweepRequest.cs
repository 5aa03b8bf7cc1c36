using System.Text.Json.Serialization;
using NeuralArt.Contract;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>A checked sweep: the <see cref="SweepOrchestration"/>'s input. Every cell was planned by the engine at the door.</summary>
public sealed record SweepRequest
{
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    [JsonPropertyName("axes")] public required IReadOnlyList<SweepAxis> Axes { get; init; }

    [JsonPropertyName("cells")] public required IReadOnlyList<SweepCell> Cells { get; init; }

    /// <summary>The cells' predicted cost added up.</summary>
    [JsonPropertyName("cost")] public required JobCost Cost { get; init; }

    [JsonPropertyName("submittedAt")] public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>Longest side of a thumbnail on the contact sheet (host setting, fixed at submission).</summary>
    [JsonPropertyName("thumbnailSide")] public int ThumbnailSide { get; init; } = 256;
}
