namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// The minimizer of the cubic through two points with given values and slopes (Nocedal and
/// Wright, eq. 3.59), clamped to bounds; the midpoint of the bounds when the cubic has no minimum.
/// A line-by-line port of PyTorch's <c>_cubic_interpolate</c>.
/// </summary>
internal static class CubicInterpolation
{
    public static double Minimize(double x1, double f1, double g1, double x2, double f2, double g2, double? lower = null, double? upper = null)
    {
        var (lo, hi) = lower is { } l && upper is { } u ? (l, u) : x1 <= x2 ? (x1, x2) : (x2, x1);
        var d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        var d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            var d2 = Math.Sqrt(d2Square);
            var minimum = x1 <= x2
                ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            // A degenerate cubic (equal points, infinite values) gives NaN: fall back to bisection.
            if (double.IsFinite(minimum)) return Math.Min(Math.Max(minimum, lo), hi);
        }
        return (lo + hi) / 2;
    }
}
