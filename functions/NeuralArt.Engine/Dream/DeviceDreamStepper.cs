using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Dream;

/// <summary>
/// Untiled DeepDream steps with the image kept in the sessions' device memory between steps (GPU
/// memory on CUDA; aligned host memory on the CPU, where the same code runs and is tested). Each
/// step is three bound runs on device tensors: the <c>roll</c> graph shifts the image by the
/// jitter, the gradient graph takes the objective's gradient, and the <c>ascend</c> graph unrolls
/// it, normalizes it by its mean absolute value, adds <c>step</c> times it and clamps to [0,1]
/// (<see cref="StepGraphs"/>). Only the first step reads the image from the host and only the last
/// writes it back; per step, only the shifts go in and the loss comes out. The image ping-pongs
/// between two device buffers.
/// </summary>
internal sealed class DeviceDreamStepper : IDisposable
{
    private readonly GradientRunner _runner;
    private readonly DreamSettings _settings;
    // Leased for the stepper's life: the bindings below belong to these sessions.
    private readonly OnnxSessionLease _rollLease;
    private readonly OnnxSessionLease _ascendLease;
    private readonly OnnxSession _roll;
    private readonly OnnxSession _ascend;
    private readonly OrtIoBinding _rollBinding;
    private readonly OrtIoBinding _ascendBinding;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _rollH = Int64Value();
    private readonly OrtValue _rollW = Int64Value();
    private readonly OrtValue _unrollH = Int64Value();
    private readonly OrtValue _unrollW = Int64Value();
    private readonly OrtValue _step = AlignedValues.Allocate([1]);
    private Buffers? _buffers;

    public DeviceDreamStepper(GradientRunner runner, OnnxSessionPool sessions, DreamSettings settings)
    {
        _runner = runner;
        _settings = settings;
        _rollLease = sessions.RentBuilt("step:roll", StepGraphs.Roll);
        _ascendLease = sessions.RentBuilt("step:ascend", StepGraphs.Ascend);
        _roll = _rollLease.Session;
        _ascend = _ascendLease.Session;
        _rollBinding = _roll.Session.CreateIoBinding();
        _ascendBinding = _ascend.Session.CreateIoBinding();
        _step.GetTensorMutableDataAsSpan<float>()[0] = settings.Step;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> steps on <paramref name="image"/> (updated in place at the end),
    /// calling <paramref name="stepped"/> with each step's loss.
    /// </summary>
    public void Run(ImageTensor image, int steps, ref SplitMix64 random, Action<double> stepped, CancellationToken cancellationToken)
    {
        if (steps <= 0) return;
        int h = image.Height, w = image.Width;
        var buffers = Prepare(h, w);
        image.Data.CopyTo(buffers.HostIn.GetTensorMutableDataAsSpan<float>());
        var jitter = _settings.Jitter;
        var current = buffers.HostIn;
        for (var s = 0; s < steps; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The same random draws as the tiled host path: the jitter's dy, then dx.
            var dy = Mod(random.Next(-jitter, jitter + 1), h);
            var dx = Mod(random.Next(-jitter, jitter + 1), w);
            Set(_rollH, dy);
            Set(_rollW, dx);
            Set(_unrollH, (h - dy) % h);
            Set(_unrollW, (w - dx) % w);

            _rollBinding.BindInput(StepGraphs.Image, current);
            _rollBinding.BindInput(StepGraphs.ShiftH, _rollH);
            _rollBinding.BindInput(StepGraphs.ShiftW, _rollW);
            _rollBinding.BindOutput(StepGraphs.Rolled, buffers.Rolled);
            Run(_roll, _rollBinding);

            var loss = _runner.Run(buffers.Rolled, buffers.Grad, cancellationToken);

            var next = s == steps - 1 ? buffers.HostOut : ReferenceEquals(current, buffers.A) ? buffers.B : buffers.A;
            _ascendBinding.BindInput(StepGraphs.Image, current);
            _ascendBinding.BindInput(StepGraphs.Grad, buffers.Grad);
            _ascendBinding.BindInput(StepGraphs.ShiftH, _unrollH);
            _ascendBinding.BindInput(StepGraphs.ShiftW, _unrollW);
            _ascendBinding.BindInput(StepGraphs.Step, _step);
            _ascendBinding.BindOutput(StepGraphs.Next, next);
            Run(_ascend, _ascendBinding);
            current = next;
            stepped(loss);
        }
        buffers.HostOut.GetTensorDataAsSpan<float>().CopyTo(image.Data);
    }

    private void Run(OnnxSession session, OrtIoBinding binding)
    {
        session.Session.RunWithBinding(_runOptions, binding);
        binding.SynchronizeBoundOutputs();
    }

    /// <summary>Allocates (or reuses) the device tensors for an image size; the first place a device problem shows.</summary>
    public Buffers Prepare(int height, int width)
    {
        if (_buffers is { } b && b.Height == height && b.Width == width) return b;
        _buffers?.Dispose();
        _buffers = null;
        _buffers = new Buffers(_runner.Session, height, width);
        return _buffers;
    }

    private static OrtValue Int64Value() =>
        OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64, [1]);

    private static void Set(OrtValue value, int shift) => value.GetTensorMutableDataAsSpan<long>()[0] = shift;

    private static int Mod(int value, int modulus) => ((value % modulus) + modulus) % modulus;

    public void Dispose()
    {
        _buffers?.Dispose();
        _rollBinding.Dispose();
        _ascendBinding.Dispose();
        _runOptions.Dispose();
        _rollH.Dispose();
        _rollW.Dispose();
        _unrollH.Dispose();
        _unrollW.Dispose();
        _step.Dispose();
        _rollLease.Dispose();
        _ascendLease.Dispose();
    }

    /// <summary>Host in/out tensors and the device tensors of one image size.</summary>
    internal sealed class Buffers : IDisposable
    {
        public Buffers(OnnxSession session, int height, int width)
        {
            Height = height;
            Width = width;
            long[] shape = [1, ImageTensor.Channels, height, width];
            HostIn = AlignedValues.Allocate(shape);
            HostOut = AlignedValues.Allocate(shape);
            A = session.AllocateOnDevice(shape);
            B = session.AllocateOnDevice(shape);
            Rolled = session.AllocateOnDevice(shape);
            Grad = session.AllocateOnDevice(shape);
        }

        public int Height { get; }
        public int Width { get; }
        public OrtValue HostIn { get; }
        public OrtValue HostOut { get; }
        public OrtValue A { get; }
        public OrtValue B { get; }
        public OrtValue Rolled { get; }
        public OrtValue Grad { get; }

        public void Dispose()
        {
            HostIn.Dispose();
            HostOut.Dispose();
            A.Dispose();
            B.Dispose();
            Rolled.Dispose();
            Grad.Dispose();
        }
    }
}
