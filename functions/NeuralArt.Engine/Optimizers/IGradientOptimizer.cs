namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// A first-order (or quasi-Newton) minimizer that advances one iteration per <see cref="Step"/> and
/// keeps everything it carries between iterations (history, moments, counters) in itself, so
/// that <see cref="Write"/> after any step and <see cref="OptimizerSerializer.Read"/> before the
/// next give exactly the same iterates as running on without a break.
/// </summary>
public interface IGradientOptimizer
{
    /// <summary><see cref="OptimizerKinds"/> name.</summary>
    string Kind { get; }

    /// <summary>Length of the vectors it optimizes.</summary>
    int Dimension { get; }

    /// <summary>Iterations done.</summary>
    int Iteration { get; }

    /// <summary>Calls of the function so far (a line search can take several per iteration).</summary>
    int Evaluations { get; }

    /// <summary>Loss at the current point, once known (NaN before the first evaluation).</summary>
    double Loss { get; }

    /// <summary>True when a stopping test met: further steps leave the point as it is.</summary>
    bool Converged { get; }

    /// <summary>Runs one iteration, moving <paramref name="x"/> in place; returns the loss at the new point (or the old one for Adam, which does not evaluate it).</summary>
    double Step(float[] x, GradientFunction function, CancellationToken cancellationToken = default);

    /// <summary>Writes the complete state (see <see cref="OptimizerSerializer"/>).</summary>
    void Write(BinaryWriter writer);
}

/// <summary>Optimizer names as they appear in settings and on the command line.</summary>
public static class OptimizerKinds
{
    public const string Lbfgs = "lbfgs";
    public const string Adam = "adam";

    public static readonly IReadOnlyList<string> All = [Lbfgs, Adam];
}
