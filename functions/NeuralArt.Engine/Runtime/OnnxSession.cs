using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace NeuralArt.Engine.Runtime;

/// <summary>Where a session runs.</summary>
public enum ExecutionDevice { Cpu, Cuda }

/// <summary>
/// A loaded graph: the ONNX Runtime session (thread-safe for concurrent runs), the device it runs
/// on and the graph's path. Owned by <see cref="OnnxSessionPool"/>; do not dispose.
/// </summary>
public sealed class OnnxSession
{
    private readonly Lazy<OrtAllocator?> _deviceAllocator;

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

    /// <summary>The declared dimensions of an output (-1 for dynamic ones).</summary>
    public int[] OutputDimensions(string name) =>
        Session.OutputMetadata.TryGetValue(name, out var meta)
            ? meta.Dimensions
            : throw new InvalidOperationException(
                $"Graph '{System.IO.Path.GetFileName(Path)}' has no output '{name}' (outputs: {string.Join(", ", Session.OutputNames)}).");
}
