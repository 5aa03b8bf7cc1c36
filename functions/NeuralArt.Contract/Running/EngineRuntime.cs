namespace NeuralArt.Contract;

/// <summary>
/// What an engine runs on: its default model (for example <c>resnet18</c>), execution provider
/// (<c>Cpu</c>, <c>Cuda</c>) and the versions that decide its pixels (graph compiler, ONNX Runtime).
/// </summary>
public sealed record EngineRuntime(string? Model, string? Provider, IReadOnlyDictionary<string, string>? Versions = null);
