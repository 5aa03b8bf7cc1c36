namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// L-BFGS settings. The defaults are PyTorch's <c>torch.optim.LBFGS</c> with
/// <c>history_size=10, line_search_fn="strong_wolfe"</c>, the setup of the reference style transfer
/// implementations.
/// </summary>
public sealed record LbfgsOptions
{
    public const int DefaultHistorySize = 10;

    /// <summary>Correction pairs (s, y) kept for the inverse-Hessian estimate.</summary>
    public int HistorySize { get; init; } = DefaultHistorySize;

    /// <summary>Initial step length of each line search (the first iteration also divides it by the gradient's 1-norm).</summary>
    public double LearningRate { get; init; } = 1.0;

    /// <summary>Stop when the gradient's largest entry is at most this.</summary>
    public double ToleranceGrad { get; init; } = 1e-7;

    /// <summary>Stop when the loss, the step or the directional derivative changes less than this.</summary>
    public double ToleranceChange { get; init; } = 1e-9;

    /// <summary>Largest number of function evaluations in one line search.</summary>
    public int MaxLineSearch { get; init; } = 25;

    /// <summary>Sufficient-decrease (Armijo) constant of the strong Wolfe conditions.</summary>
    public double C1 { get; init; } = 1e-4;

    /// <summary>Curvature constant of the strong Wolfe conditions.</summary>
    public double C2 { get; init; } = 0.9;

    /// <summary>Pairs with <c>y.s</c> at most this are skipped (they would make the estimate indefinite).</summary>
    public double CurvatureEpsilon { get; init; } = 1e-10;

    public void Validate()
    {
        if (HistorySize < 1) throw new ArgumentOutOfRangeException(nameof(HistorySize), HistorySize, "At least one correction pair is needed.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (MaxLineSearch < 1) throw new ArgumentOutOfRangeException(nameof(MaxLineSearch), MaxLineSearch, "At least one evaluation is needed.");
        if (!(C1 > 0 && C1 < C2 && C2 < 1)) throw new ArgumentOutOfRangeException(nameof(C2), C2, "Wolfe constants need 0 < c1 < c2 < 1.");
    }
}
