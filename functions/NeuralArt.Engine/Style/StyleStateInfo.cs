namespace NeuralArt.Engine.Style;

/// <summary>What a style checkpoint holds, for progress displays and summaries.</summary>
/// <param name="StyleTaps">The style taps the compiled graphs use (smoothed-away taps left out).</param>
/// <param name="ContentTaps">The content taps.</param>
public sealed record StyleStateInfo(
    StyleSettings Settings,
    IReadOnlyList<(int Height, int Width)> ScaleSizes,
    int Styles,
    int Evaluations,
    StyleLossParts? LastParts,
    IReadOnlyList<string> StyleTaps,
    IReadOnlyList<string> ContentTaps);
