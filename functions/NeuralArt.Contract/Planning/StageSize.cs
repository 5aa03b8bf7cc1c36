using System.Text.Json.Serialization;

namespace NeuralArt.Contract;

/// <summary>The working image's size at one stage.</summary>
public sealed record StageSize(
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("iterations")] int Iterations);
