using System.Text.Json.Serialization;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Http;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>A sweep as <c>GET /api/sweeps/{id}</c> returns it: its axes, every cell's job and how it stands, and the sheet once drawn.</summary>
public sealed record SweepView
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c>, <c>failed</c> or <c>cancelled</c> (the sweep's own orchestration).</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    [JsonPropertyName("progress"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public SweepStatus? Progress { get; init; }
    [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("lastUpdatedAt")] public DateTimeOffset LastUpdatedAt { get; init; }
    [JsonPropertyName("axes")] public required IReadOnlyList<SweepAxis> Axes { get; init; }
    [JsonPropertyName("cost")] public JobCost? Cost { get; init; }
    [JsonPropertyName("cells")] public required IReadOnlyList<SweepCellView> Cells { get; init; }
    [JsonPropertyName("sheet"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobLink? Sheet { get; init; }
    [JsonPropertyName("layout"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public BlobLink? Layout { get; init; }
    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; init; }
    [JsonPropertyName("links")] public required JobLinks Links { get; init; }
}
