using System.Text;

namespace NeuralArt.Graphs.Tests.Harness;

/// <summary>One comparison of an analytic derivative with its central finite difference.</summary>
internal sealed record FdSample(string What, double Analytic, double Numeric, double RelativeError);

/// <summary>The samples of one gradient check and their worst relative error.</summary>
internal sealed class FdReport(string title)
{
    public List<FdSample> Samples { get; } = [];

    public double MaxRelativeError => Samples.Count == 0 ? double.NaN : Samples.Max(s => s.RelativeError);

    public FdSample Worst => Samples.MaxBy(s => s.RelativeError)!;

    public override string ToString()
    {
        var sb = new StringBuilder($"{title}: max relative error {MaxRelativeError:E2}\n");
        foreach (var s in Samples)
        {
            sb.AppendLine($"  {s.What,-34} analytic {s.Analytic,14:E6}  numeric {s.Numeric,14:E6}  rel {s.RelativeError:E2}");
        }
        return sb.ToString();
    }
}

/// <summary>
/// Checks a gradient against central finite differences of a loss, along random directions (the
/// well-conditioned global check: every pixel contributes), along the gradient itself (no
/// cancellation), and at single pixels (corners catch border and pad bugs, the largest entry and
/// random ones the interior).
/// </summary>
internal static class FiniteDifferences
{
    /// <summary>
    /// Random directions rarely give a tiny directional derivative by cancellation; the error is then
    /// measured against this fraction of the typical magnitude <c>|g| |d| / sqrt(n)</c> instead.
    /// </summary>
    public const double DirectionFloorFraction = 0.1;

    /// <summary>Single-pixel errors are measured against at least this fraction of the largest gradient entry.</summary>
    public const double PixelFloorFraction = 1e-2;

    /// <summary>
    /// Two central differences, at h and h/2, agree to this relative precision unless the segment
    /// [x - h d, x + h d] straddles a kink (a ReLU switching, a MaxPool argmax changing, a Clip bound).
    /// Ten times below the tests' tolerance, far above float64 roundoff.
    /// </summary>
    public const double KinkAgreement = 1e-4;

    /// <summary>Smallest step tried when kinks force the step down (float64 roundoff stays about 1e-7 there).</summary>
    public const double MinStep = 1e-9;

    /// <summary>
    /// Central difference of <c>t -> loss(x + t d)</c> at 0, kink-aware: starting from <paramref name="step"/>,
    /// the step shrinks tenfold until the differences at h and h/2 agree. A near-tie between two
    /// MaxPool inputs (gap 5e-7 in one of these tests' images) otherwise makes a correct gradient look wrong.
    /// </summary>
    public static (double Value, double Step, bool Smooth) Derivative(Func<double[], double> loss, double[] x, double[] direction,
        double step, double floor)
    {
        double At(double h) => (loss(Shift(x, direction, h)) - loss(Shift(x, direction, -h))) / (2 * h);
        double whole = 0, half = 0;
        for (var h = step; h >= MinStep; h /= 10)
        {
            whole = At(h);
            half = At(h / 2);
            var scale = Math.Max(Math.Max(Math.Abs(whole), Math.Abs(half)), floor);
            if (Math.Abs(whole - half) <= KinkAgreement * scale) return (half, h / 2, true);
        }
        return (half, MinStep / 2, false);
    }

    private static double[] Shift(double[] x, double[] direction, double t)
    {
        var y = new double[x.Length];
        for (var i = 0; i < x.Length; i++) y[i] = x[i] + t * direction[i];
        return y;
    }

    private static double[] Unit(int length, int index)
    {
        var e = new double[length];
        e[index] = 1;
        return e;
    }

    /// <summary>Runs the directional and single-pixel checks on an image of shape [1,3,h,w].</summary>
    public static FdReport Check(string title, Func<double[], double> loss, double[] image, float[] gradient, int h, int w,
        int seed, int randomDirections, int randomPixels, double step)
    {
        var report = new FdReport(title);
        var g = gradient.Select(v => (double)v).ToArray();
        var gNorm = Math.Sqrt(g.Sum(v => v * v));
        var gMax = g.Max(Math.Abs);
        var random = new Random(seed);

        for (var k = 0; k <= randomDirections; k++)
        {
            // The last direction is the gradient itself: its derivative |g|^2 has no cancellation.
            var d = k < randomDirections ? Gaussian(random, g.Length) : (double[])g.Clone();
            var analytic = Dot(g, d);
            var dNorm = Math.Sqrt(Dot(d, d));
            var floor = DirectionFloorFraction * gNorm * dNorm / Math.Sqrt(g.Length);
            var (numeric, used, smooth) = Derivative(loss, image, d, step, floor);
            report.Samples.Add(new FdSample(Label(k < randomDirections ? $"direction #{k}" : "direction = gradient", used, smooth, step),
                analytic, numeric, Relative(analytic, numeric, floor)));
        }

        foreach (var (label, index) in Pixels(g, h, w, random, randomPixels))
        {
            var floor = PixelFloorFraction * gMax;
            var (numeric, used, smooth) = Derivative(loss, image, Unit(image.Length, index), step, floor);
            report.Samples.Add(new FdSample(Label(label, used, smooth, step), g[index], numeric, Relative(g[index], numeric, floor)));
        }
        return report;
    }

    /// <summary>Notes in the sample's label when kinks forced a smaller step, or no step was kink-free.</summary>
    private static string Label(string what, double used, bool smooth, double step) =>
        !smooth ? what + " (kink, unresolved)" : used < step / 2 ? $"{what} (kink: step {used:E0})" : what;

    public static double Relative(double analytic, double numeric, double floor) =>
        Math.Abs(analytic - numeric) / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), Math.Max(floor, double.Epsilon));

    public static double Dot(double[] a, double[] b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static double[] Gaussian(Random random, int count)
    {
        var v = new double[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            v[i] = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return v;
    }

    /// <summary>The four corners (one channel each), the largest gradient entry, and random pixels.</summary>
    private static IEnumerable<(string Label, int Index)> Pixels(double[] g, int h, int w, Random random, int count)
    {
        int Index(int c, int y, int x) => (c * h + y) * w + x;
        yield return ("pixel c0 (0,0)", Index(0, 0, 0));
        yield return ($"pixel c1 (0,{w - 1})", Index(1, 0, w - 1));
        yield return ($"pixel c2 ({h - 1},0)", Index(2, h - 1, 0));
        yield return ($"pixel c0 ({h - 1},{w - 1})", Index(0, h - 1, w - 1));
        var argmax = Array.IndexOf(g, g.MaxBy(Math.Abs));
        yield return ($"pixel c{argmax / (h * w)} ({argmax / w % h},{argmax % w}) max|g|", argmax);
        for (var i = 0; i < count; i++)
        {
            var (c, y, x) = (random.Next(3), random.Next(h), random.Next(w));
            yield return ($"pixel c{c} ({y},{x})", Index(c, y, x));
        }
    }
}
