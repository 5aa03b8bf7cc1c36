namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// Limited-memory BFGS with a strong Wolfe line search, iteration for iteration what PyTorch's
/// <c>torch.optim.LBFGS(history_size=10, line_search_fn="strong_wolfe")</c> does inside one
/// <c>step()</c> with <c>max_iter</c> iterations: the two-loop recursion over the last
/// <see cref="LbfgsOptions.HistorySize"/> pairs (s, y), initial Hessian scale <c>y.s / y.y</c>,
/// first step <c>min(1, 1/|g|_1)</c>, and the same stopping tests. The loss and gradient at the
/// current point are part of the state, so a resumed run needs no extra evaluation and takes the
/// same steps as an unbroken one.
/// </summary>
public sealed class Lbfgs : IGradientOptimizer
{
    private readonly LbfgsOptions _options;
    private readonly float[] _gradient;
    private readonly float[] _direction;
    private readonly float[] _previousGradient;
    private readonly float[] _start;
    // Correction pairs, oldest first; arrays are recycled when the history is full.
    private readonly List<float[]> _s = [];
    private readonly List<float[]> _y = [];
    private readonly List<double> _rho = [];
    private readonly double[] _alpha;
    private float[]? _spareS;
    private float[]? _spareY;
    private StrongWolfeLineSearch? _lineSearch;
    private double _step;
    private double _hessianScale = 1;
    private double _previousLoss = double.NaN;
    private bool _hasPoint;

    public Lbfgs(int dimension, LbfgsOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        _options = options ?? new LbfgsOptions();
        _options.Validate();
        Dimension = dimension;
        _gradient = new float[dimension];
        _direction = new float[dimension];
        _previousGradient = new float[dimension];
        _start = new float[dimension];
        _alpha = new double[_options.HistorySize];
    }

    public string Kind => OptimizerKinds.Lbfgs;

    public LbfgsOptions Options => _options;

    public int Dimension { get; }

    public int Iteration { get; private set; }

    public int Evaluations { get; private set; }

    public double Loss { get; private set; } = double.NaN;

    public bool Converged { get; private set; }

    /// <summary>Correction pairs held now.</summary>
    public int HistoryCount => _s.Count;

    /// <summary>Gradient at the current point (valid once <see cref="Iteration"/> &gt; 0 or after the first step's evaluation).</summary>
    public ReadOnlySpan<float> Gradient => _gradient;

    public double Step(float[] x, GradientFunction function, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(function);
        if (x.Length != Dimension) throw new ArgumentException($"Expected {Dimension} values, got {x.Length}.", nameof(x));
        if (Converged) return Loss;
        if (!_hasPoint)
        {
            Loss = function(x, _gradient, cancellationToken);
            Evaluations++;
            _hasPoint = true;
            if (!double.IsFinite(Loss) || !VectorMath.AllFinite(_gradient))
            {
                throw new InvalidOperationException($"The loss or its gradient is not finite at the starting point (loss {Loss}).");
            }
            if (VectorMath.MaxAbs(_gradient) <= _options.ToleranceGrad)
            {
                Converged = true;
                return Loss;
            }
        }

        Iteration++;
        if (Iteration == 1)
        {
            _gradient.AsSpan().CopyTo(_direction);
            VectorMath.Scale(_direction, -1f);
            _hessianScale = 1;
        }
        else
        {
            UpdateHistory();
            ComputeDirection();
        }
        _gradient.AsSpan().CopyTo(_previousGradient);
        _previousLoss = Loss;

        _step = Iteration == 1
            ? Math.Min(1.0, 1.0 / VectorMath.SumAbs(_gradient)) * _options.LearningRate
            : _options.LearningRate;
        var gtd = VectorMath.Dot(_gradient, _direction);
        if (gtd > -_options.ToleranceChange)
        {
            // Not a descent direction any more (or a flat one): nothing left to gain.
            Converged = true;
            return Loss;
        }

        x.AsSpan().CopyTo(_start);
        _lineSearch ??= new StrongWolfeLineSearch(Dimension, _options);
        var result = _lineSearch.Search(_start, _step, _direction, Loss, _gradient, gtd, function, cancellationToken);
        Evaluations += result.Evaluations;
        _step = result.Step;
        Loss = result.Loss;
        // Exactly the point the line search evaluated: same start, same step, same float arithmetic.
        VectorMath.Combine(x, _start, (float)_step, _direction);

        if (VectorMath.MaxAbs(_gradient) <= _options.ToleranceGrad
            || VectorMath.MaxAbs(_direction) * Math.Abs(_step) <= _options.ToleranceChange
            || Math.Abs(Loss - _previousLoss) < _options.ToleranceChange)
        {
            Converged = true;
        }
        return Loss;
    }

    /// <summary>Adds the pair from the last step, <c>s = t d</c>, <c>y = g - g_prev</c>, when its curvature is positive.</summary>
    private void UpdateHistory()
    {
        // The candidate pair goes into spare arrays: a rejected pair must not overwrite the history.
        _spareS ??= new float[Dimension];
        _spareY ??= new float[Dimension];
        var s = _spareS;
        var y = _spareY;
        VectorMath.Subtract(y, _gradient, _previousGradient);
        _direction.AsSpan().CopyTo(s);
        VectorMath.Scale(s, (float)_step);
        var ys = VectorMath.Dot(y, s);
        if (ys <= _options.CurvatureEpsilon) return;
        if (_s.Count == _options.HistorySize)
        {
            // Recycle the oldest pair's arrays as the next spares.
            _spareS = _s[0];
            _spareY = _y[0];
            _s.RemoveAt(0);
            _y.RemoveAt(0);
            _rho.RemoveAt(0);
        }
        else
        {
            _spareS = null;
            _spareY = null;
        }
        _s.Add(s);
        _y.Add(y);
        _rho.Add(1.0 / ys);
        _hessianScale = ys / VectorMath.Dot(y, y);
    }

    /// <summary>The two-loop recursion: <c>d = -H g</c>.</summary>
    private void ComputeDirection()
    {
        var q = _direction;
        _gradient.AsSpan().CopyTo(q);
        VectorMath.Scale(q, -1f);
        for (var i = _s.Count - 1; i >= 0; i--)
        {
            _alpha[i] = VectorMath.Dot(_s[i], q) * _rho[i];
            VectorMath.AddScaled(q, _y[i], (float)-_alpha[i]);
        }
        VectorMath.Scale(q, (float)_hessianScale);
        for (var i = 0; i < _s.Count; i++)
        {
            var beta = VectorMath.Dot(_y[i], q) * _rho[i];
            VectorMath.AddScaled(q, _s[i], (float)(_alpha[i] - beta));
        }
    }

    private const int StateVersion = 1;

    public void Write(BinaryWriter writer)
    {
        writer.Write(StateVersion);
        writer.Write(Dimension);
        writer.Write(_options.HistorySize);
        writer.Write(_options.LearningRate);
        writer.Write(_options.ToleranceGrad);
        writer.Write(_options.ToleranceChange);
        writer.Write(_options.MaxLineSearch);
        writer.Write(_options.C1);
        writer.Write(_options.C2);
        writer.Write(_options.CurvatureEpsilon);
        writer.Write(Iteration);
        writer.Write(Evaluations);
        writer.Write(Loss);
        writer.Write(Converged);
        writer.Write(_hasPoint);
        writer.Write(_step);
        writer.Write(_hessianScale);
        writer.Write(_previousLoss);
        OptimizerSerializer.WriteVector(writer, _gradient);
        OptimizerSerializer.WriteVector(writer, _direction);
        OptimizerSerializer.WriteVector(writer, _previousGradient);
        writer.Write(_s.Count);
        for (var i = 0; i < _s.Count; i++)
        {
            writer.Write(_rho[i]);
            OptimizerSerializer.WriteVector(writer, _s[i]);
            OptimizerSerializer.WriteVector(writer, _y[i]);
        }
    }

    internal static Lbfgs Read(BinaryReader reader)
    {
        var version = reader.ReadInt32();
        if (version != StateVersion) throw new InvalidDataException($"L-BFGS state version {version} is not supported (expected {StateVersion}).");
        var dimension = reader.ReadInt32();
        var options = new LbfgsOptions
        {
            HistorySize = reader.ReadInt32(),
            LearningRate = reader.ReadDouble(),
            ToleranceGrad = reader.ReadDouble(),
            ToleranceChange = reader.ReadDouble(),
            MaxLineSearch = reader.ReadInt32(),
            C1 = reader.ReadDouble(),
            C2 = reader.ReadDouble(),
            CurvatureEpsilon = reader.ReadDouble(),
        };
        if (dimension <= 0) throw new InvalidDataException("L-BFGS state has no dimension.");
        var lbfgs = new Lbfgs(dimension, options)
        {
            Iteration = reader.ReadInt32(),
            Evaluations = reader.ReadInt32(),
            Loss = reader.ReadDouble(),
            Converged = reader.ReadBoolean(),
        };
        lbfgs._hasPoint = reader.ReadBoolean();
        lbfgs._step = reader.ReadDouble();
        lbfgs._hessianScale = reader.ReadDouble();
        lbfgs._previousLoss = reader.ReadDouble();
        OptimizerSerializer.ReadVector(reader, lbfgs._gradient);
        OptimizerSerializer.ReadVector(reader, lbfgs._direction);
        OptimizerSerializer.ReadVector(reader, lbfgs._previousGradient);
        var count = reader.ReadInt32();
        if (count < 0 || count > options.HistorySize) throw new InvalidDataException($"L-BFGS state has {count} pairs; at most {options.HistorySize} fit.");
        for (var i = 0; i < count; i++)
        {
            lbfgs._rho.Add(reader.ReadDouble());
            var s = new float[dimension];
            var y = new float[dimension];
            OptimizerSerializer.ReadVector(reader, s);
            OptimizerSerializer.ReadVector(reader, y);
            lbfgs._s.Add(s);
            lbfgs._y.Add(y);
        }
        return lbfgs;
    }
}
