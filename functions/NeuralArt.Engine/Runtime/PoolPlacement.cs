namespace NeuralArt.Engine.Runtime;

/// <summary>Where a gradient step runs its first max-pool and the pool's backward.</summary>
public enum PoolPlacement
{
    /// <summary><see cref="Managed"/> on the CPU provider (when the graph splits), <see cref="Graph"/> on CUDA.</summary>
    Auto,
    /// <summary>Inside the one compiled graph (<c>MaxPool</c> with indices and <c>ScatterElements</c>).</summary>
    Graph,
    /// <summary>
    /// In managed code between the sessions of the graph split at the pool (<see cref="PoolSplitSessions"/>,
    /// <see cref="ManagedMaxPool"/>); CPU sessions only (a CUDA session keeps the one graph).
    /// </summary>
    Managed,
}
