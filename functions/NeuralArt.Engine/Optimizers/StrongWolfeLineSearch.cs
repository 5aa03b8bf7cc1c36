namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// Line search for a step length satisfying the strong Wolfe conditions: bracketing, then zoom
/// with safeguarded cubic interpolation (Nocedal and Wright, algorithms 3.5 and 3.6). A port of
/// PyTorch's <c>_strong_wolfe</c>, so our L-BFGS takes the steps the reference implementations take;
/// where PyTorch clones gradient tensors this reuses a few preallocated buffers.
/// </summary>
internal sealed class StrongWolfeLineSearch
{
    private readonly LbfgsOptions _options;
    private readonly float[] _trial;
    // Gradient buffers: every one ever allocated, and those free during the current search.
    private readonly List<float[]> _all = [];
    private readonly Stack<float[]> _free = new();

    public StrongWolfeLineSearch(int dimension, LbfgsOptions options)
    {
        _options = options;
        _trial = new float[dimension];
    }

    /// <summary>The outcome: step length, loss and gradient there (in <c>gradient</c>, owned by the caller), evaluations used.</summary>
    public readonly record struct Result(double Step, double Loss, int Evaluations);

    /// <summary>
    /// Searches along <paramref name="direction"/> from <paramref name="x"/> (loss <paramref name="loss"/>,
    /// gradient <paramref name="gradient"/>, directional derivative <paramref name="gtd"/> &lt; 0),
    /// starting at step <paramref name="step"/>. On return <paramref name="gradient"/> holds the
    /// gradient at the accepted point <c>x + step * direction</c>; <paramref name="x"/> is unchanged.
    /// </summary>
    public Result Search(float[] x, double step, float[] direction, double loss, float[] gradient, double gtd,
        GradientFunction function, CancellationToken cancellationToken)
    {
        var c1 = _options.C1;
        var c2 = _options.C2;
        var maxSearch = _options.MaxLineSearch;
        var tolerance = _options.ToleranceChange;
        var dNorm = VectorMath.MaxAbs(direction);
        // The caller's gradient is read-only here (it is the t = 0 end of the bracket): copy it.
        var g0 = Rent();
        gradient.AsSpan().CopyTo(g0);

        var t = step;
        var gNew = Rent();
        var fNew = Evaluate(x, t, direction, gNew, function, cancellationToken);
        var evaluations = 1;
        var gtdNew = VectorMath.Dot(gNew, direction);

        double tPrev = 0, fPrev = loss, gtdPrev = gtd;
        var gPrev = g0;
        var done = false;
        var iteration = 0;
        var bracket = new double[2];
        var bracketF = new double[2];
        var bracketGtd = new double[2];
        var bracketG = new float[]?[2];
        var bracketCount = 0;

        while (iteration < maxSearch)
        {
            // The order of these tests matters: a point that overshoots a little (slope now positive
            // but small) satisfies the strong Wolfe conditions and is accepted, not bracketed.
            var bracketed = fNew > loss + c1 * t * gtd || (iteration > 1 && fNew >= fPrev);
            if (!bracketed && Math.Abs(gtdNew) <= -c2 * gtd)
            {
                bracket[0] = t;
                bracketF[0] = fNew;
                bracketG[0] = gNew;
                bracketCount = 1;
                done = true;
                break;
            }
            if (bracketed || gtdNew >= 0)
            {
                (bracket[0], bracket[1]) = (tPrev, t);
                (bracketF[0], bracketF[1]) = (fPrev, fNew);
                (bracketG[0], bracketG[1]) = (gPrev, gNew);
                (bracketGtd[0], bracketGtd[1]) = (gtdPrev, gtdNew);
                bracketCount = 2;
                break;
            }
            // Extrapolate: the minimizer of the cubic, between a little past t and ten times t.
            var minStep = t + 0.01 * (t - tPrev);
            var maxStep = t * 10;
            var previous = t;
            t = CubicInterpolation.Minimize(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = previous;
            fPrev = fNew;
            if (!ReferenceEquals(gPrev, g0)) Return(gPrev); // g0 stays: it may end up in the bracket [0, t]
            gPrev = gNew;
            gtdPrev = gtdNew;
            gNew = Rent();
            fNew = Evaluate(x, t, direction, gNew, function, cancellationToken);
            evaluations++;
            gtdNew = VectorMath.Dot(gNew, direction);
            iteration++;
        }
        if (iteration == maxSearch)
        {
            // Out of evaluations while extrapolating: bracket [0, t]. (PyTorch leaves the slopes of
            // this bracket unset; they are the known ones.)
            if (!ReferenceEquals(gPrev, g0)) Return(gPrev);
            (bracket[0], bracket[1]) = (0, t);
            (bracketF[0], bracketF[1]) = (loss, fNew);
            (bracketG[0], bracketG[1]) = (g0, gNew);
            (bracketGtd[0], bracketGtd[1]) = (gtd, gtdNew);
            bracketCount = 2;
        }

        // Zoom: shrink the bracket until a point satisfies the strong Wolfe conditions.
        var insufficientProgress = false;
        var (low, high) = bracketF[0] <= bracketF[bracketCount - 1] ? (0, 1) : (1, 0);
        while (!done && iteration < maxSearch)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * dNorm < tolerance) break;
            t = CubicInterpolation.Minimize(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
            // Keep away from the ends: an evaluation there teaches nothing new.
            var max = Math.Max(bracket[0], bracket[1]);
            var min = Math.Min(bracket[0], bracket[1]);
            var eps = 0.1 * (max - min);
            if (Math.Min(max - t, t - min) < eps)
            {
                if (insufficientProgress || t >= max || t <= min)
                {
                    t = Math.Abs(t - max) < Math.Abs(t - min) ? max - eps : min + eps;
                    insufficientProgress = false;
                }
                else
                {
                    insufficientProgress = true;
                }
            }
            else
            {
                insufficientProgress = false;
            }

            gNew = Rent();
            fNew = Evaluate(x, t, direction, gNew, function, cancellationToken);
            evaluations++;
            gtdNew = VectorMath.Dot(gNew, direction);
            iteration++;

            if (fNew > loss + c1 * t * gtd || fNew >= bracketF[low])
            {
                // Sufficient decrease fails or no better than the low end: replace the high end.
                Replace(bracketG, high, gNew);
                bracket[high] = t;
                bracketF[high] = fNew;
                bracketGtd[high] = gtdNew;
                (low, high) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -c2 * gtd)
                {
                    done = true;
                }
                else if (gtdNew * (bracket[high] - bracket[low]) >= 0)
                {
                    // The minimum lies on the other side of t: the old low end becomes the high end.
                    Replace(bracketG, high, bracketG[low]!);
                    bracket[high] = bracket[low];
                    bracketF[high] = bracketF[low];
                    bracketGtd[high] = bracketGtd[low];
                }
                Replace(bracketG, low, gNew);
                bracket[low] = t;
                bracketF[low] = fNew;
                bracketGtd[low] = gtdNew;
            }
        }

        var accepted = bracketCount == 1 ? 0 : low;
        bracketG[accepted]!.AsSpan().CopyTo(gradient);
        // Every buffer is free again for the next search.
        _free.Clear();
        foreach (var buffer in _all) _free.Push(buffer);
        return new Result(bracket[accepted], bracketF[accepted], evaluations);
    }

    /// <summary>Puts <paramref name="value"/> in slot <paramref name="index"/>, returning the old buffer when no slot holds it any more.</summary>
    private void Replace(float[]?[] slots, int index, float[] value)
    {
        var old = slots[index];
        slots[index] = value;
        if (old is not null && !ReferenceEquals(old, value) && !ReferenceEquals(slots[1 - index], old)) Return(old);
    }

    private double Evaluate(float[] x, double t, float[] direction, float[] gradient, GradientFunction function, CancellationToken cancellationToken)
    {
        VectorMath.Combine(_trial, x, (float)t, direction);
        var loss = function(_trial, gradient, cancellationToken);
        // A step into a region where the loss overflows counts as a very bad point: the search backs off.
        return double.IsFinite(loss) && VectorMath.AllFinite(gradient) ? loss : double.PositiveInfinity;
    }

    private float[] Rent()
    {
        if (_free.Count > 0) return _free.Pop();
        var buffer = new float[_trial.Length];
        _all.Add(buffer);
        return buffer;
    }

    /// <summary>Marks a buffer that no bracket end refers to as reusable within this search.</summary>
    private void Return(float[] buffer) => _free.Push(buffer);
}
