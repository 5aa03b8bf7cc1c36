using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>The sweep orchestration's custom status: counts only (each cell's progress is its own job's status).</summary>
public sealed record SweepStatus(
    [property: JsonPropertyName("phase")] string Phase,
    [property: JsonPropertyName("cells")] int Cells,
    [property: JsonPropertyName("completed")] int Completed,
    [property: JsonPropertyName("failed")] int Failed);

public static class SweepPhases
{
    /// <summary>Cells are waiting for slots or running.</summary>
    public const string Running = "running";

    /// <summary>Every cell ended; the contact sheet is being drawn.</summary>
    public const string Sheet = "sheet";

    public const string Completed = "completed";
}
