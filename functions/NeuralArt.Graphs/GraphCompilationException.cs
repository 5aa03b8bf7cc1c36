namespace NeuralArt.Graphs;

/// <summary>A model that cannot be compiled: unsupported op, unknown tap, bad manifest.</summary>
public sealed class GraphCompilationException : Exception
{
    public GraphCompilationException(string message) : base(message) { }
    public GraphCompilationException(string message, Exception inner) : base(message, inner) { }
}
