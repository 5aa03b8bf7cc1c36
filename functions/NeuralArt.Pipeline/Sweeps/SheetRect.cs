using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>A rectangle on the sheet, in pixels from the top left.</summary>
public sealed record SheetRect(
    [property: JsonPropertyName("x")] int X,
    [property: JsonPropertyName("y")] int Y,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height);
