namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015) with bias-corrected moments. One function evaluation per iteration;
/// the moments and the step counter are the state.
/// </summary>
public sealed class Adam : IGradientOptimizer
{
    private readonly AdamOptions _options;
    private readonly float[] _gradient;
    private readonly float[] _m;
    private readonly float[] _v;

    public Adam(int dimension, AdamOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        _options = options ?? new AdamOptions();
        _options.Validate();
        Dimension = dimension;
        _gradient = new float[dimension];
        _m = new float[dimension];
        _v = new float[dimension];
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
        return loss;
    }

    private const int StateVersion = 1;

    public void Write(BinaryWriter writer)
    {
        writer.Write(StateVersion);
        writer.Write(Dimension);
        writer.Write(_options.LearningRate);
        writer.Write(_options.Beta1);
        writer.Write(_options.Beta2);
        writer.Write(_options.Epsilon);
        writer.Write(Iteration);
        writer.Write(Loss);
        OptimizerSerializer.WriteVector(writer, _m);
        OptimizerSerializer.WriteVector(writer, _v);
    }

    internal static Adam Read(BinaryReader reader)
    {
        var version = reader.ReadInt32();
        if (version != StateVersion) throw new InvalidDataException($"Adam state version {version} is not supported (expected {StateVersion}).");
        var dimension = reader.ReadInt32();
        if (dimension <= 0) throw new InvalidDataException("Adam state has no dimension.");
        var options = new AdamOptions
        {
            LearningRate = reader.ReadDouble(),
            Beta1 = reader.ReadDouble(),
            Beta2 = reader.ReadDouble(),
            Epsilon = reader.ReadDouble(),
        };
        var adam = new Adam(dimension, options)
        {
            Iteration = reader.ReadInt32(),
            Loss = reader.ReadDouble(),
        };
        OptimizerSerializer.ReadVector(reader, adam._m);
        OptimizerSerializer.ReadVector(reader, adam._v);
        return adam;
    }
}
