using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// Runs a compiled gradient graph (input <c>image</c> [1,3,H,W], outputs <c>loss</c> and
/// <c>grad</c>) again and again through an <see cref="OrtIoBinding"/>, reusing one set of
/// <see cref="GradientBuffers"/> per image size (a few sizes are kept: tiles and octaves differ).
/// Extra constant inputs, such as a guided dream's <c>guide.layer3</c> features or a dream's tap
/// weights and channel masks, are set once with <see cref="SetExtraInput"/>. Not thread-safe: one
/// runner per render; sessions are shared, and the caller keeps its session's lease open while the
/// runner exists (the runner's bindings belong to the session).
/// <para>
/// With <see cref="PoolSplitSessions"/> (CPU only), <see cref="Run(GradientBuffers, CancellationToken)"/>
/// runs the graph split at its first max-pool with the pool in managed code between the parts
/// (<see cref="PoolSplitStep"/>); the same buffers, loss and gradient. Runs on caller-owned tensors
/// (<see cref="Run(OrtValue, OrtValue, CancellationToken)"/>) always use the one graph.
/// </para>
/// </summary>
public sealed class GradientRunner : IDisposable
{
    /// <summary>Sizes kept bound at once: an octave's tiles come in at most four sizes.</summary>
    public const int DefaultCachedSizes = 4;

    // The one graph; null for a runner of the split graph alone, which never opens it.
    private readonly OnnxSession? _session;
    private readonly PoolSplitSessions? _split;
    private readonly IReadOnlyList<OnnxSession> _graphs;
    private readonly long[] _partTicks = new long[Enum.GetValues<SplitPart>().Length];
    private readonly int _maxCachedSizes;
    private readonly long[] _lossShape;
    private readonly RunOptions _runOptions = new();
    // Most recently used last.
    private readonly List<GradientBuffers> _buffers = [];
    private readonly Dictionary<string, OrtValue> _extras = new(StringComparer.Ordinal);
    private int _extrasVersion;
    private OrtIoBinding? _valueBinding;
    private OrtValue? _valueLoss;
    private bool _disposed;

    /// <param name="split">The same graph split at its max-pool, or null to run the one graph; the caller keeps it until the runner is disposed.</param>
    public GradientRunner(OnnxSession session, int maxCachedSizes = DefaultCachedSizes, PoolSplitSessions? split = null)
        : this(session ?? throw new ArgumentNullException(nameof(session)), split, maxCachedSizes)
    {
    }

    /// <summary>
    /// A runner of the split graph alone (CPU steps with the managed pool): the one graph's session,
    /// which such steps never run, is not needed (opening it took about 110 ms for ResNet-18).
    /// Runs on caller-owned tensors need the one graph and are refused.
    /// </summary>
    /// <param name="split">The caller keeps it until the runner is disposed.</param>
    public GradientRunner(PoolSplitSessions split, int maxCachedSizes = DefaultCachedSizes)
        : this(null, split ?? throw new ArgumentNullException(nameof(split)), maxCachedSizes)
    {
    }

    private GradientRunner(OnnxSession? session, PoolSplitSessions? split, int maxCachedSizes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCachedSizes);
        _session = session;
        _split = split;
        _maxCachedSizes = maxCachedSizes;
        _graphs = session is not null ? [session] : [split!.Pre, split.Rest, split.Back];
        var inputs = _graphs.SelectMany(g => g.Session.InputNames).Distinct(StringComparer.Ordinal).ToList();
        var outputs = _graphs.SelectMany(g => g.Session.OutputNames).Distinct(StringComparer.Ordinal).ToList();
        if (!inputs.Contains(GraphNames.Image) || !outputs.Contains(GraphNames.Loss) || !outputs.Contains(GraphNames.Grad))
        {
            throw new InvalidOperationException(
                $"'{Path.GetFileName(_graphs[0].Path)}' is not a gradient graph: it needs input '{GraphNames.Image}' and outputs " +
                $"'{GraphNames.Loss}' and '{GraphNames.Grad}' (has inputs {string.Join(", ", inputs)}; outputs {string.Join(", ", outputs)}).");
        }
        // The split's parts also read what the managed pool writes between them: not the caller's to set.
        ExtraInputNames = inputs.Where(n => n != GraphNames.Image && n != PoolSplitNames.PoolOutput && n != PoolSplitNames.PoolInputGrad).ToList();
        // A scalar loss has rank 0; some graphs declare [1]. Bind whatever the graph declares.
        _lossShape = _graphs.First(g => g.Session.OutputNames.Contains(GraphNames.Loss))
            .OutputDimensions(GraphNames.Loss).Select(d => (long)Math.Max(d, 1)).ToArray();
    }

    /// <summary>The one graph's session; a runner of the split alone has none (see <see cref="Device"/>).</summary>
    public OnnxSession Session => _session ?? throw new InvalidOperationException("This runner runs the split graph alone; the one graph's session was not opened.");

    /// <summary>Where the runner's graphs run.</summary>
    public ExecutionDevice Device => _graphs[0].Device;

    /// <summary>The declared dimensions of an input the caller sets (<see cref="ExtraInputNames"/>), from whichever graph reads it.</summary>
    public int[] InputDimensions(string name) =>
        (_graphs.FirstOrDefault(g => g.Session.InputNames.Contains(name)) ?? _graphs[0]).InputDimensions(name);

    /// <summary>Whether steps run the pool-split graph with the managed pool.</summary>
    public bool RunsManagedPool => _split is not null;

    /// <summary>Time spent in the managed pool and its backward so far (zero for the one graph).</summary>
    public TimeSpan ManagedPoolTime => Stopwatch.GetElapsedTime(0, _partTicks[(int)SplitPart.PoolForward] + _partTicks[(int)SplitPart.PoolBackward]);

    /// <summary>Time spent so far in each part of the pool-split steps (zero for the one graph).</summary>
    public IReadOnlyDictionary<SplitPart, TimeSpan> SplitPartTimes =>
        Enum.GetValues<SplitPart>().ToDictionary(p => p, p => Stopwatch.GetElapsedTime(0, _partTicks[(int)p]));

    /// <summary>Inputs besides <c>image</c> that must be set before running.</summary>
    public IReadOnlyList<string> ExtraInputNames { get; }

    /// <summary>Sets a constant extra input (copied); it stays bound for every later run.</summary>
    public void SetExtraInput(string name, ReadOnlySpan<float> values, long[] shape)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!ExtraInputNames.Contains(name))
        {
            throw new ArgumentException($"The graph has no extra input '{name}' (has: {string.Join(", ", ExtraInputNames)}).", nameof(name));
        }
        var value = AlignedValues.Copy(values, shape);
        if (_extras.Remove(name, out var old)) old.Dispose();
        _extras[name] = value;
        _extrasVersion++;
    }

    /// <summary>The reusable buffers for an image of this size (created on first use).</summary>
    public GradientBuffers Buffers(int height, int width)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var index = _buffers.FindIndex(b => b.Height == height && b.Width == width);
        GradientBuffers buffers;
        if (index >= 0)
        {
            buffers = _buffers[index];
            _buffers.RemoveAt(index);
        }
        else
        {
            if (_buffers.Count == _maxCachedSizes)
            {
                _buffers[0].Dispose();
                _buffers.RemoveAt(0);
            }
            buffers = new GradientBuffers(_session?.Session, height, width, _lossShape);
            if (buffers.Binding is { } binding)
            {
                binding.BindInput(GraphNames.Image, buffers.InputValue);
                binding.BindOutput(GraphNames.Loss, buffers.LossValue);
                binding.BindOutput(GraphNames.Grad, buffers.GradValue);
            }
        }
        _buffers.Add(buffers);
        return buffers;
    }

    /// <summary>Runs the graph on <paramref name="buffers"/>' input; returns the loss, the gradient is in its <c>Grad</c>.</summary>
    public float Run(GradientBuffers buffers, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_split is not null) return RunSplit(_split, buffers, cancellationToken);
        var wholeBinding = buffers.Binding!;
        if (buffers.BoundExtrasVersion != _extrasVersion)
        {
            foreach (var name in ExtraInputNames)
            {
                if (!_extras.TryGetValue(name, out var value))
                {
                    throw new InvalidOperationException($"Extra input '{name}' was not set before running the gradient graph.");
                }
                wholeBinding.BindInput(name, value);
            }
            buffers.BoundExtrasVersion = _extrasVersion;
        }

        RunBinding(wholeBinding, cancellationToken);
        return buffers.Loss;
    }

    private float RunSplit(PoolSplitSessions split, GradientBuffers buffers, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        void Part(OnnxSession session, OrtIoBinding binding) => RunPart(session, binding, cancellationToken);
        // A new step runs the pre-pool graph on this input to learn its shapes; this step starts from that run.
        var created = buffers.Split is null;
        buffers.Split ??= new PoolSplitStep(split, buffers, Part);
        var step = buffers.Split;
        if (step.BoundExtrasVersion != _extrasVersion)
        {
            foreach (var name in ExtraInputNames)
            {
                if (!_extras.TryGetValue(name, out var value))
                {
                    throw new InvalidOperationException($"Extra input '{name}' was not set before running the gradient graph.");
                }
                step.BindExtra(name, value);
            }
            step.BoundExtrasVersion = _extrasVersion;
        }
        step.Run(Part, _partTicks, preRun: created);
        // Counted as one run of the gradient graph (on the rest part when the one graph is not open).
        (_session ?? split.Rest).RecordRun(Stopwatch.GetElapsedTime(started));
        return buffers.Loss;
    }

    private void RunBinding(OrtIoBinding binding, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        RunPart(Session, binding, cancellationToken);
        Session.RecordRun(Stopwatch.GetElapsedTime(started));
    }

    private void RunPart(OnnxSession session, OrtIoBinding binding, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _runOptions.Terminate = false;
        using (cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, _runOptions))
        {
            try
            {
                session.Session.RunWithBinding(_runOptions, binding);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
        binding.SynchronizeBoundOutputs();
    }

    /// <summary>
    /// Runs on caller-owned tensors, typically in device memory (<see cref="OnnxSession.AllocateOnDevice"/>):
    /// nothing is copied to or from the host except the loss.
    /// </summary>
    public float Run(OrtValue image, OrtValue grad, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        _valueBinding ??= Session.Session.CreateIoBinding();
        _valueLoss ??= AlignedValues.Allocate(_lossShape);
        foreach (var name in ExtraInputNames)
        {
            _valueBinding.BindInput(name, _extras.TryGetValue(name, out var value)
                ? value
                : throw new InvalidOperationException($"Extra input '{name}' was not set before running the gradient graph."));
        }
        _valueBinding.BindInput(GraphNames.Image, image);
        _valueBinding.BindOutput(GraphNames.Loss, _valueLoss);
        _valueBinding.BindOutput(GraphNames.Grad, grad);
        RunBinding(_valueBinding, cancellationToken);
        return _valueLoss.GetTensorDataAsSpan<float>()[0];
    }

    /// <summary>Copies <paramref name="image"/> in, runs, and copies the gradient to <paramref name="grad"/>.</summary>
    public float Run(ImageTensor image, ImageTensor grad, CancellationToken cancellationToken = default)
    {
        if (!image.SameSizeAs(grad)) throw new ArgumentException("Image and gradient sizes differ.", nameof(grad));
        var buffers = Buffers(image.Height, image.Width);
        image.Data.CopyTo(buffers.Input);
        var loss = Run(buffers, cancellationToken);
        buffers.Grad.CopyTo(grad.Data);
        return loss;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
        foreach (var v in _extras.Values) v.Dispose();
        _extras.Clear();
        _valueBinding?.Dispose();
        _valueLoss?.Dispose();
        _runOptions.Dispose();
    }
}
