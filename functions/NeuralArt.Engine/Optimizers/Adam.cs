namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias-corrected moments. One function evaluation per iteration;
/// the moments and the step counter are the state, and with <see cref="AdamOptions.AverageDecay"/>
/// an exponential moving average of the iterates.
/// </summary>
public sealed class Adam : IGradientOptimizer
{
    private readonly AdamOptions _options;
    private readonly float[] _gradient;
    private readonly float[] _m;
    private readonly float[] _v;
    // Exponential moving average of the iterates (empty when averaging is off), not bias-corrected.
    private readonly float[] _average;

    public Adam(int dimension, AdamOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        _options = options ?? new AdamOptions();
        _options.Validate();
        Dimension = dimension;
        _gradient = new float[dimension];
        _m = new float[dimension];
        _v = new float[dimension];
        _average = _options.AverageDecay > 0 ? new float[dimension] : [];
    }

    public bool Averaging => _average.Length > 0;

    /// <summary>
    /// The bias-corrected moving average of the iterates after <see cref="Iteration"/> steps,
    /// <c>avg_t / (1 - d^t)</c> (so the first average is the first iterate); only with averaging on.
    /// </summary>
    public void Average(Span<float> destination)
    {
        if (!Averaging) throw new InvalidOperationException("Iterate averaging is off.");
        if (Iteration == 0) throw new InvalidOperationException("No iterate has been averaged yet.");
        var correction = (float)(1 / (1 - Math.Pow(_options.AverageDecay, Iteration)));
        for (var i = 0; i < _average.Length; i++) destination[i] = _average[i] * correction;
    }

    public string Kind => OptimizerKinds.Adam;

    public AdamOptions Options => _options;

    public int Dimension { get; }

    public int Iteration { get; private set; }

    public int Evaluations => Iteration;

    /// <summary>Loss at the point before the last step (Adam does not evaluate the point it moves to).</summary>
    public double Loss { get; private set; } = double.NaN;

    public bool Converged => false;

    public double Step(float[] x, GradientFunction function, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(function);
        if (x.Length != Dimension) throw new ArgumentException($"Expected {Dimension} values, got {x.Length}.", nameof(x));
        var loss = function(x, _gradient, cancellationToken);
        if (!double.IsFinite(loss) || !VectorMath.AllFinite(_gradient))
        {
            throw new InvalidOperationException($"The loss or its gradient is not finite (loss {loss}) at iteration {Iteration + 1}.");
        }
        Iteration++;
        Loss = loss;
        var b1 = (float)_options.Beta1;
        var b2 = (float)_options.Beta2;
        var step = (float)(_options.LearningRate / (1 - Math.Pow(_options.Beta1, Iteration)));
        var correction2 = (float)(1 / Math.Sqrt(1 - Math.Pow(_options.Beta2, Iteration)));
        var eps = (float)_options.Epsilon;
        for (var i = 0; i < x.Length; i++)
        {
            var g = _gradient[i];
            var m = _m[i] = b1 * _m[i] + (1 - b1) * g;
            var v = _v[i] = b2 * _v[i] + (1 - b2) * g * g;
            x[i] -= step * m / (MathF.Sqrt(v) * correction2 + eps);
        }
        if (Averaging)
        {
            var d = (float)_options.AverageDecay;
            for (var i = 0; i < x.Length; i++) _average[i] = d * _average[i] + (1 - d) * x[i];
        }
        return loss;
    }

    // 2: the average's decay after epsilon and, when on, its vector after the moments. Version 1 (no averaging) is still read.
    private const int StateVersion = 2;
    private const int StateVersionWithoutAverage = 1;

    public void Write(BinaryWriter writer)
    {
        writer.Write(StateVersion);
        writer.Write(Dimension);
        writer.Write(_options.LearningRate);
        writer.Write(_options.Beta1);
        writer.Write(_options.Beta2);
        writer.Write(_options.Epsilon);
        writer.Write(_options.AverageDecay);
        writer.Write(Iteration);
        writer.Write(Loss);
        OptimizerSerializer.WriteVector(writer, _m);
        OptimizerSerializer.WriteVector(writer, _v);
        if (Averaging) OptimizerSerializer.WriteVector(writer, _average);
    }

    internal static Adam Read(BinaryReader reader)
    {
        var version = reader.ReadInt32();
        if (version != StateVersion && version != StateVersionWithoutAverage) throw new InvalidDataException($"Adam state version {version} is not supported (expected {StateVersion}).");
        var dimension = reader.ReadInt32();
        if (dimension <= 0) throw new InvalidDataException("Adam state has no dimension.");
        var options = new AdamOptions
        {
            LearningRate = reader.ReadDouble(),
            Beta1 = reader.ReadDouble(),
            Beta2 = reader.ReadDouble(),
            Epsilon = reader.ReadDouble(),
        };
        if (version != StateVersionWithoutAverage) options = options with { AverageDecay = reader.ReadDouble() };
        var adam = new Adam(dimension, options)
        {
            Iteration = reader.ReadInt32(),
            Loss = reader.ReadDouble(),
        };
        OptimizerSerializer.ReadVector(reader, adam._m);
        OptimizerSerializer.ReadVector(reader, adam._v);
        if (adam.Averaging) OptimizerSerializer.ReadVector(reader, adam._average);
        return adam;
    }
}
