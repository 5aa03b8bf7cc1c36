using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace NeuralArt.Engine.Runtime;

/// <summary>Where a session runs.</summary>
public enum ExecutionDevice { Cpu, Cuda }

/// <summary>
/// A loaded graph: the ONNX Runtime session (thread-safe for concurrent runs), the device it runs
/// on and the graph's path. Owned by <see cref="OnnxSessionPool"/> and reference counted: the pool
/// holds one reference while the session is cached and each <see cref="OnnxSessionLease"/> one
/// more, so a session evicted from the pool while a step runs on it is disposed only when that
/// step's lease ends. Do not dispose it yourself; use it only while you hold a lease.
/// </summary>
public sealed class OnnxSession
{
    private readonly Lazy<OrtAllocator?> _deviceAllocator;
    // Starts at 1: the pool's own reference. 0 means disposed; it never rises again.
    private int _references = 1;

    internal OnnxSession(string path, InferenceSession session, ExecutionDevice device, int deviceId = 0)
    {
        Path = path;
        Session = session;
        Device = device;
        DeviceId = deviceId;
        // The CUDA allocator belongs to the session (its arena); it lives as long as the session.
        _deviceAllocator = new Lazy<OrtAllocator?>(() => device == ExecutionDevice.Cuda
            ? new OrtAllocator(session, new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, deviceId, OrtMemType.Default))
            : null);
    }

    public int DeviceId { get; }

    /// <summary>
    /// A float tensor in the memory this session computes in: GPU memory with CUDA, otherwise an
    /// aligned host allocation (<see cref="AlignedValues"/>).
    /// </summary>
    public OrtValue AllocateOnDevice(long[] shape) =>
        _deviceAllocator.Value is { } allocator
            ? OrtValue.CreateAllocatedTensorValue(allocator, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, shape)
            : AlignedValues.Allocate(shape);

    public string Path { get; }

    public InferenceSession Session { get; }

    public ExecutionDevice Device { get; }

    private long _runs;
    private long _runTicks;

    /// <summary>Runs so far through the engine's runners, and their total wall time (for benchmarks).</summary>
    public (long Runs, TimeSpan Time) RunStatistics => (Interlocked.Read(ref _runs), TimeSpan.FromTicks(Interlocked.Read(ref _runTicks)));

    internal void RecordRun(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _runs);
        Interlocked.Add(ref _runTicks, elapsed.Ticks);
    }

    /// <summary>Whether the native session has been released (evicted and no lease left, or the pool disposed).</summary>
    public bool IsDisposed => Volatile.Read(ref _references) == 0;

    /// <summary>Whether only the pool holds it (no lease open). Meaningful only while the pool holds it.</summary>
    internal bool IsIdle => Volatile.Read(ref _references) == 1;

    /// <summary>Takes a reference unless the session is already disposed.</summary>
    internal bool TryAddReference()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current) return true;
            current = seen;
        }
        return false;
    }

    /// <summary>Drops a reference; the last one disposes the native session and its allocator.</summary>
    internal void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left < 0) throw new InvalidOperationException($"Session '{Path}' was released more often than referenced.");
        if (left > 0) return;
        if (_deviceAllocator.IsValueCreated) _deviceAllocator.Value?.Dispose();
        Session.Dispose();
    }

    /// <summary>The declared dimensions of an input (-1 for dynamic ones).</summary>
    public int[] InputDimensions(string name) =>
        Session.InputMetadata.TryGetValue(name, out var meta)
            ? meta.Dimensions
            : throw new InvalidOperationException(
                $"Graph '{System.IO.Path.GetFileName(Path)}' has no input '{name}' (inputs: {string.Join(", ", Session.InputNames)}).");

    /// <summary>The declared dimensions of an output (-1 for dynamic ones).</summary>
    public int[] OutputDimensions(string name) =>
        Session.OutputMetadata.TryGetValue(name, out var meta)
            ? meta.Dimensions
            : throw new InvalidOperationException(
                $"Graph '{System.IO.Path.GetFileName(Path)}' has no output '{name}' (outputs: {string.Join(", ", Session.OutputNames)}).");
}

/// <summary>
/// The right to use a pooled <see cref="OnnxSession"/> until disposed: while any lease is open the
/// session is not disposed, even if the pool evicts it. Dispose it when the work on the session
/// (and everything bound to it: runners, bindings, device buffers) is done.
/// </summary>
public sealed class OnnxSessionLease : IDisposable
{
    private int _released;

    internal OnnxSessionLease(OnnxSession session) => Session = session;

    public OnnxSession Session { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) Session.Release();
    }
}
