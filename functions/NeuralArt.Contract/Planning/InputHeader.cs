namespace NeuralArt.Contract;

/// <summary>An input image as its header describes it (nothing decoded): role, name, size.</summary>
public sealed record InputHeader(string Role, string Name, int Width, int Height);
