namespace NeuralArt.Contract;

/// <summary>An extra input image, for example role <c>style</c> or <c>guide</c>.</summary>
public sealed record NamedImage(string Role, string Name, ReadOnlyMemory<byte> Bytes);
