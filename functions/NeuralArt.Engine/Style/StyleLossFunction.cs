using NeuralArt.Engine.Optimizers;

namespace NeuralArt.Engine.Style;

/// <summary>
/// What the optimizer minimizes: the style objective plus a soft box constraint keeping pixels in
/// [0,1], <c>w * sum(max(0, x-1)^2 + max(0, -x)^2) / n</c>. The optimizers work unconstrained (a
/// projection would break L-BFGS's curvature pairs); the penalty is smooth, so L-BFGS stays valid,
/// and the image that gets saved (clamped to 8 bits) is the one that was optimized.
/// </summary>
internal sealed class StyleLossFunction(IStyleObjective objective, double rangeWeight)
{
    public IStyleObjective Objective => objective;

    public double Evaluate(float[] x, float[] gradient, CancellationToken cancellationToken)
    {
        var loss = objective.Evaluate(x, gradient, cancellationToken);
        return loss + RangePenalty(x, gradient, rangeWeight);
    }

    /// <summary>Adds the penalty's gradient to <paramref name="gradient"/> and returns its value.</summary>
    public static double RangePenalty(ReadOnlySpan<float> x, Span<float> gradient, double weight)
    {
        if (weight == 0) return 0;
        var scale = (float)(2 * weight / x.Length);
        double sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var v = x[i];
            var excess = v > 1f ? v - 1f : v < 0f ? v : 0f;
            if (excess == 0f) continue;
            sum += (double)excess * excess;
            gradient[i] += scale * excess;
        }
        return weight * sum / x.Length;
    }

    public GradientFunction AsGradientFunction() => Evaluate;
}
