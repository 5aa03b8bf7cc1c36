using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// Leases on the three sessions of a gradient graph split at its first max-pool
/// (<see cref="PoolSplitGraph"/>) and the pool between them, for a <see cref="GradientRunner"/>
/// that runs the pool in managed code (<see cref="ManagedMaxPool"/>). Dispose after the runner.
/// </summary>
public sealed class PoolSplitSessions : IDisposable
{
    private readonly OnnxSessionLease[] _leases;

    private PoolSplitSessions(OnnxSessionLease pre, OnnxSessionLease rest, OnnxSessionLease back, MaxPoolGeometry pool, int threads)
    {
        _leases = [pre, rest, back];
        Pool = pool;
        Threads = threads;
    }

    public OnnxSession Pre => _leases[0].Session;

    public OnnxSession Rest => _leases[1].Session;

    public OnnxSession Back => _leases[2].Session;

    public MaxPoolGeometry Pool { get; }

    /// <summary>Threads of the managed pool: ONNX Runtime's intra-op thread count.</summary>
    public int Threads { get; }

    /// <summary>
    /// The split sessions for <paramref name="graph"/> when <paramref name="placement"/> asks for
    /// the managed pool (or leaves it to <see cref="PoolPlacement.Auto"/>) on CPU sessions and the
    /// graph splits; otherwise null (run the one graph).
    /// </summary>
    public static PoolSplitSessions? TryRent(IGraphSource graphs, OnnxSessionPool sessions, CompiledGraph graph, PoolPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        ArgumentNullException.ThrowIfNull(sessions);
        if (placement == PoolPlacement.Graph || sessions.DecideDevice() != ExecutionDevice.Cpu) return null;
        if (graphs.GetPoolSplit(graph) is not { } split) return null;
        var threads = sessions.Options.IntraOpThreads > 0 ? sessions.Options.IntraOpThreads : CpuTopology.PhysicalCoreCount();
        var leases = new List<OnnxSessionLease>();
        try
        {
            leases.Add(sessions.Rent(split.PrePath));
            leases.Add(sessions.Rent(split.RestPath));
            leases.Add(sessions.Rent(split.BackPath));
            return new PoolSplitSessions(leases[0], leases[1], leases[2], split.Pool, threads);
        }
        catch
        {
            foreach (var lease in leases) lease.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var lease in _leases) lease.Dispose();
    }
}
