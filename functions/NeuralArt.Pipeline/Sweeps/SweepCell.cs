using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>
/// One cell of a sweep: its index (the first axis varies fastest), the index of its value on each
/// axis, its job ID, and the checked job it runs (an ordinary job that waits for an admission slot).
/// </summary>
public sealed record SweepCell(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("position")] IReadOnlyList<int> Position,
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("request")] JobRequest Request)
{
    /// <summary>The cell's axis values as people read them, by axis name (in axis order).</summary>
    public IReadOnlyDictionary<string, string> Values(IReadOnlyList<SweepAxis> axes) =>
        axes.Select((axis, i) => (axis.Name, Value: SweepAxis.Label(axis.Values[Position[i]])))
            .ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    /// <summary>The cell's axis values as <c>name=value</c> labels, in axis order.</summary>
    public IReadOnlyList<string> Labels(IReadOnlyList<SweepAxis> axes) =>
        [.. Values(axes).Select(p => $"{p.Key}={p.Value}")];
}
