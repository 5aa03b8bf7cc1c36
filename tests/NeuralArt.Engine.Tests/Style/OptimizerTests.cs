using NeuralArt.Engine.Optimizers;

namespace NeuralArt.Engine.Tests.Style;

public sealed class OptimizerTests
{
    /// <summary>The n-dimensional Rosenbrock function, minimum 0 at (1, ..., 1).</summary>
    private static double Rosenbrock(float[] x, float[] g, CancellationToken _)
    {
        double f = 0;
        Array.Clear(g);
        for (var i = 0; i < x.Length - 1; i++)
        {
            double a = x[i], b = x[i + 1];
            var t1 = 1 - a;
            var t2 = b - a * a;
            f += t1 * t1 + 100 * t2 * t2;
            g[i] += (float)(-2 * t1 - 400 * a * t2);
            g[i + 1] += (float)(200 * t2);
        }
        return f;
    }

    /// <summary>A badly conditioned quadratic <c>sum_i c_i (x_i - 1)^2 / 2</c>, condition number 1000.</summary>
    private static double Quadratic(float[] x, float[] g, CancellationToken _)
    {
        double f = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var c = Math.Pow(1000, (double)i / (x.Length - 1));
            var d = x[i] - 1.0;
            f += 0.5 * c * d * d;
            g[i] = (float)(c * d);
        }
        return f;
    }

    private static float[] Start(int n)
    {
        var x = new float[n];
        for (var i = 0; i < n; i++) x[i] = i % 2 == 0 ? -1.2f : 1f;
        return x;
    }

    [Fact]
    public void Lbfgs_MinimizesRosenbrock()
    {
        var x = Start(10);
        var lbfgs = new Lbfgs(x.Length);
        for (var i = 0; i < 200 && !lbfgs.Converged; i++) lbfgs.Step(x, Rosenbrock);
        Assert.True(lbfgs.Loss < 1e-8, $"loss {lbfgs.Loss} after {lbfgs.Iteration} iterations");
        Assert.All(x, v => Assert.InRange(v, 0.999f, 1.001f));
        // Quasi-Newton with a good line search: far fewer evaluations than gradient descent would need.
        Assert.True(lbfgs.Evaluations < 150, $"{lbfgs.Evaluations} evaluations");
    }

    [Fact]
    public void Lbfgs_SolvesIllConditionedQuadraticAtConjugateGradientRate()
    {
        var x = new float[50];
        var lbfgs = new Lbfgs(x.Length);
        var start = Quadratic(x, new float[x.Length], default);
        for (var i = 0; i < 60 && !lbfgs.Converged; i++) lbfgs.Step(x, Quadratic);
        // Conjugate gradients' bound for condition 1000 is ((sqrt(k)-1)/(sqrt(k)+1))^(2n) = 0.88^n in
        // the energy: 5e-4 after 60 iterations. Plain gradient descent would still be near 0.998^60.
        Assert.True(lbfgs.Loss < start * 1e-4, $"loss {lbfgs.Loss} from {start} after {lbfgs.Iteration} iterations, {lbfgs.Evaluations} evaluations, converged {lbfgs.Converged}");
    }

    [Fact]
    public void Lbfgs_AcceptedStepsSatisfyStrongWolfe()
    {
        var x = Start(6);
        var lbfgs = new Lbfgs(x.Length);
        var g0 = new float[x.Length];
        var g1 = new float[x.Length];
        for (var i = 0; i < 15; i++)
        {
            var before = (float[])x.Clone();
            var f0 = Rosenbrock(before, g0, default);
            var f1 = lbfgs.Step(x, Rosenbrock);
            Rosenbrock(x, g1, default);
            var step = x.Zip(before, (a, b) => (double)a - b).ToArray();
            var slope0 = step.Zip(g0, (s, g) => s * g).Sum();
            var slope1 = step.Zip(g1, (s, g) => s * g).Sum();
            Assert.True(slope0 < 0, "the step goes downhill");
            Assert.True(f1 <= f0 + 1e-4 * slope0 + 1e-6 * Math.Abs(f0), $"sufficient decrease at {i}: {f1} vs {f0}");
            Assert.True(Math.Abs(slope1) <= 0.9 * Math.Abs(slope0) + 1e-9, $"curvature at {i}: {slope1} vs {slope0}");
        }
    }

    [Fact]
    public void Lbfgs_KeepsAtMostHistorySizePairs()
    {
        var x = Start(20);
        var lbfgs = new Lbfgs(x.Length, new LbfgsOptions { HistorySize = 3 });
        for (var i = 0; i < 12; i++) lbfgs.Step(x, Rosenbrock);
        Assert.Equal(3, lbfgs.HistoryCount);
    }

    [Fact]
    public void Adam_ConvergesOnQuadratic()
    {
        var x = new float[20];
        var adam = new Adam(x.Length, new AdamOptions { LearningRate = 0.05 });
        var start = Quadratic(x, new float[x.Length], default);
        for (var i = 0; i < 600; i++) adam.Step(x, Quadratic);
        var end = Quadratic(x, new float[x.Length], default);
        Assert.True(end < start * 1e-4, $"loss {end} from {start}");
    }

    private const string AdamWithAverage = "adam+average";

    [Fact]
    public void Adam_average_is_the_bias_corrected_moving_average_of_its_iterates()
    {
        const double decay = 0.8;
        var x = Start(6);
        var adam = new Adam(x.Length, new AdamOptions { LearningRate = 0.02, AverageDecay = decay });
        var plain = new Adam(x.Length, new AdamOptions { LearningRate = 0.02 });
        var y = Start(6);
        var average = new double[x.Length];
        const int steps = 9;
        for (var t = 1; t <= steps; t++)
        {
            adam.Step(x, Rosenbrock);
            plain.Step(y, Rosenbrock);
            for (var i = 0; i < x.Length; i++) average[i] = decay * average[i] + (1 - decay) * x[i];
        }
        Assert.Equal(y, x); // averaging does not change the iterates
        var result = new float[x.Length];
        adam.Average(result);
        var correction = 1 - Math.Pow(decay, steps);
        for (var i = 0; i < x.Length; i++) Assert.Equal(average[i] / correction, result[i], 1e-5);
        Assert.Throws<InvalidOperationException>(() => plain.Average(result));
    }

    [Theory]
    [InlineData(OptimizerKinds.Lbfgs)]
    [InlineData(OptimizerKinds.Adam)]
    [InlineData(AdamWithAverage)]
    public void ResumingFromSerializedStateMatchesAnUnbrokenRunBitForBit(string kind)
    {
        IGradientOptimizer Create(int n) => kind == OptimizerKinds.Lbfgs
            ? new Lbfgs(n, new LbfgsOptions { HistorySize = 4 })
            : new Adam(n, new AdamOptions { LearningRate = 0.02, AverageDecay = kind == AdamWithAverage ? 0.9 : 0 });
        const int total = 25;

        var unbroken = Start(12);
        var a = Create(unbroken.Length);
        for (var i = 0; i < total; i++) a.Step(unbroken, Rosenbrock);

        var chunked = Start(12);
        var b = Create(chunked.Length);
        var done = 0;
        foreach (var chunk in new[] { 1, 7, 3, 14 })
        {
            for (var i = 0; i < chunk; i++) b.Step(chunked, Rosenbrock);
            done += chunk;
            b = OptimizerSerializer.FromBytes(OptimizerSerializer.ToBytes(b));
        }
        Assert.Equal(total, done);
        Assert.Equal(unbroken, chunked);
        Assert.Equal(a.Loss, b.Loss);
        Assert.Equal(a.Iteration, b.Iteration);
        Assert.Equal(a.Evaluations, b.Evaluations);
        Assert.Equal(OptimizerSerializer.ToBytes(a), OptimizerSerializer.ToBytes(b));
    }

    [Fact]
    public void CorruptStateIsRefused()
    {
        var x = Start(8);
        var lbfgs = new Lbfgs(x.Length);
        lbfgs.Step(x, Rosenbrock);
        var bytes = OptimizerSerializer.ToBytes(lbfgs);
        Assert.ThrowsAny<Exception>(() => OptimizerSerializer.FromBytes(bytes.AsMemory(0, bytes.Length - 5)));
        var unknown = (byte[])bytes.Clone();
        unknown[1] = (byte)'x';
        Assert.Throws<InvalidDataException>(() => OptimizerSerializer.FromBytes(unknown));
    }

    [Fact]
    public void LineSearchAcceptsASlightOvershootThatSatisfiesStrongWolfe()
    {
        // f(x) = (x - 0.9)^2 from x = 0 along d = 1: the unit step overshoots the minimum (slope +0.2)
        // but meets both strong Wolfe conditions (|0.2| <= 0.9 * 1.8), so it is taken at once, as
        // PyTorch's _strong_wolfe does (testing the slope's sign first would bracket and zoom instead).
        static double F(float[] x, float[] g, CancellationToken _)
        {
            g[0] = 2 * (x[0] - 0.9f);
            return (x[0] - 0.9) * (x[0] - 0.9);
        }
        var search = new StrongWolfeLineSearch(1, new LbfgsOptions());
        var gradient = new float[] { -1.8f };
        var result = search.Search([0f], 1.0, [1f], 0.81, gradient, -1.8, F, default);
        Assert.Equal(1, result.Evaluations);
        Assert.Equal(1.0, result.Step);
        Assert.Equal(0.2f, gradient[0], 5);
    }

    [Fact]
    public void CubicInterpolationFindsTheMinimumOfACubic()
    {
        // f(t) = (t - 2)^2 (a quadratic is a cubic too): minimum at 2 from points 0 and 3.
        static (double F, double G) F(double t) => ((t - 2) * (t - 2), 2 * (t - 2));
        var (f0, g0) = F(0);
        var (f3, g3) = F(3);
        Assert.Equal(2.0, CubicInterpolation.Minimize(0, f0, g0, 3, f3, g3), 9);
        Assert.Equal(2.5, CubicInterpolation.Minimize(0, f0, g0, 3, f3, g3, 2.5, 10), 9);
    }
}
