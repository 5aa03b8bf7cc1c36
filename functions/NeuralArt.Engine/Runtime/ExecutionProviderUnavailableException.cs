namespace NeuralArt.Engine.Runtime;

/// <summary>The configured execution provider cannot run here (for example CUDA without its libraries).</summary>
public sealed class ExecutionProviderUnavailableException(string message) : InvalidOperationException(message);
