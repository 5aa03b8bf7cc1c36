using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// One image size's gradient step through the pool-split graph: pre-pool forward (image to the
/// pool's input), the managed pool, the rest (pool output to loss and the pool output's gradient),
/// the managed pool backward, and the pre-pool backward (to the image gradient). The tensors
/// between the sessions are ONNX Runtime allocations bound once to each session's
/// <see cref="OrtIoBinding"/>; the pool reads and writes that same memory, so nothing is copied,
/// and the pool input's buffer also carries its gradient.
/// Owned by <see cref="GradientBuffers"/>.
/// </summary>
internal sealed class PoolSplitStep : IDisposable
{
    private readonly PoolSplitSessions _sessions;
    private readonly OrtIoBinding _pre;
    private readonly OrtIoBinding _rest;
    private readonly OrtIoBinding _back;
    private readonly IDisposableReadOnlyCollection<OrtValue> _firstOutputs;
    private readonly OrtValue _x;
    private readonly OrtValue _y;
    private readonly OrtValue _dy;
    private readonly OrtValue _dx;
    private readonly int[] _argmax;
    private readonly int _channels;
    private readonly int _height;
    private readonly int _width;

    /// <summary>
    /// Binds the sessions for <paramref name="buffers"/>' size; runs the pre-pool graph once to learn
    /// the pool input's shape, on the input already in <paramref name="buffers"/> (a step that follows
    /// at once on that input may start from this run's output: <see cref="Run"/>'s <c>preRun</c>).
    /// </summary>
    public PoolSplitStep(PoolSplitSessions sessions, GradientBuffers buffers, Action<OnnxSession, OrtIoBinding> run)
    {
        _sessions = sessions;
        _pre = sessions.Pre.Session.CreateIoBinding();
        _rest = sessions.Rest.Session.CreateIoBinding();
        _back = sessions.Back.Session.CreateIoBinding();
        var owned = new List<IDisposable> { _pre, _rest, _back };
        try
        {
            _pre.BindInput(GraphNames.Image, buffers.InputValue);
            _pre.BindOutputToDevice(PoolSplitNames.PoolInput, OrtMemoryInfo.DefaultInstance);
            run(sessions.Pre, _pre);
            // ONNX Runtime's allocation for the first run's output (aligned like ours) stays the pool's input.
            _firstOutputs = _pre.GetOutputValues();
            owned.Add(_firstOutputs);
            _x = _firstOutputs[0];
            var xShape = _x.GetTensorTypeAndShape().Shape;
            InputShape = xShape;
            if (xShape.Length != 4) throw new InvalidOperationException($"The pool's input has shape [{string.Join(",", xShape)}]; a 4-D [N,C,H,W] was expected.");
            _channels = checked((int)(xShape[0] * xShape[1]));
            (_height, _width) = (checked((int)xShape[2]), checked((int)xShape[3]));
            var (oh, ow) = sessions.Pool.OutputSize(_height, _width);
            long[] yShape = [xShape[0], xShape[1], oh, ow];
            _y = AlignedValues.Allocate(yShape);
            owned.Add(_y);
            _dy = AlignedValues.Allocate(yShape);
            owned.Add(_dy);
            // The input gradient overwrites the pool's input: the backward needs only the arg-maxes, and
            // the next step's pre-pool run writes the input afresh (one [N,C,H,W] buffer, not two).
            _dx = _x;
            _argmax = GC.AllocateUninitializedArray<int>(checked(_channels * oh * ow), pinned: true);
            _pre.BindOutput(PoolSplitNames.PoolInput, _x);

            _rest.BindInput(PoolSplitNames.PoolOutput, _y);
            _rest.BindOutput(PoolSplitNames.PoolOutputGrad, _dy);
            _back.BindInput(PoolSplitNames.PoolInputGrad, _dx);
            foreach (var (session, binding) in Parts)
            {
                if (session != sessions.Pre && session.Session.InputNames.Contains(GraphNames.Image)) binding.BindInput(GraphNames.Image, buffers.InputValue);
                if (session.Session.OutputNames.Contains(GraphNames.Loss)) binding.BindOutput(GraphNames.Loss, buffers.LossValue);
                if (session.Session.OutputNames.Contains(GraphNames.Grad)) binding.BindOutput(GraphNames.Grad, buffers.GradValue);
            }
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }
    }

    /// <summary>The pool input's shape, [N,C,H,W].</summary>
    public IReadOnlyList<long> InputShape { get; } = [];

    private IEnumerable<(OnnxSession Session, OrtIoBinding Binding)> Parts =>
        [(_sessions.Pre, _pre), (_sessions.Rest, _rest), (_sessions.Back, _back)];

    /// <summary>Which version of the runner's extra inputs is bound.</summary>
    public int BoundExtrasVersion { get; set; } = -1;

    /// <summary>Binds an extra input (dream weights, masks, guide features) to the parts that read it.</summary>
    public void BindExtra(string name, OrtValue value)
    {
        foreach (var (session, binding) in Parts)
        {
            if (session.Session.InputNames.Contains(name)) binding.BindInput(name, value);
        }
    }

    /// <summary>
    /// The whole step; the time of each part (<see cref="SplitPart"/> order) is added to
    /// <paramref name="partTicks"/>.
    /// </summary>
    /// <param name="preRun">Whether the pre-pool graph has already run on the current input (the constructor's run, when nothing has written the input since).</param>
    public void Run(Action<OnnxSession, OrtIoBinding> run, long[] partTicks, bool preRun = false)
    {
        var t0 = Stopwatch.GetTimestamp();
        if (!preRun) run(_sessions.Pre, _pre);
        var t1 = Stopwatch.GetTimestamp();
        ManagedMaxPool.Forward(_x.GetTensorDataAsSpan<float>(), _channels, _height, _width, _sessions.Pool,
            _y.GetTensorMutableDataAsSpan<float>(), _argmax, _sessions.Threads);
        var t2 = Stopwatch.GetTimestamp();
        run(_sessions.Rest, _rest);
        var t3 = Stopwatch.GetTimestamp();
        ManagedMaxPool.Backward(_dy.GetTensorDataAsSpan<float>(), _argmax, _channels, _height, _width, _sessions.Pool,
            _dx.GetTensorMutableDataAsSpan<float>(), _sessions.Threads);
        var t4 = Stopwatch.GetTimestamp();
        run(_sessions.Back, _back);
        var t5 = Stopwatch.GetTimestamp();
        partTicks[(int)SplitPart.Pre] += t1 - t0;
        partTicks[(int)SplitPart.PoolForward] += t2 - t1;
        partTicks[(int)SplitPart.Rest] += t3 - t2;
        partTicks[(int)SplitPart.PoolBackward] += t4 - t3;
        partTicks[(int)SplitPart.Back] += t5 - t4;
    }

    public void Dispose()
    {
        _pre.Dispose();
        _rest.Dispose();
        _back.Dispose();
        _firstOutputs.Dispose();
        _y.Dispose();
        _dy.Dispose();
    }
}
