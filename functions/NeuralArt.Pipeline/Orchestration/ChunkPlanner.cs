using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Orchestration;

/// <summary>
/// Picks the next chunk's iteration count from the time budget and the cost measured so far.
/// Pure and deterministic (it only sees activity results), so it is safe inside an orchestration.
/// </summary>
public sealed class ChunkPlanner(ChunkingPolicy policy, double? measuredSecondsPerPixelIteration = null)
{
    /// <summary>Aim a little under the budget: iteration times vary.</summary>
    private const double SafetyFactor = 0.8;

    private double? secondsPerPixelIteration = measuredSecondsPerPixelIteration;

    /// <summary>Seconds per iteration per pixel from the last measured chunk, if any.</summary>
    public double? SecondsPerPixelIteration => secondsPerPixelIteration;

    /// <summary>Learns from a chunk that ran (resumed chunks did no measurable work and are ignored).</summary>
    public void Observe(ChunkOutcome chunk)
    {
        if (chunk.Resumed || chunk.IterationsRun <= 0 || chunk.ComputeSeconds <= 0 || chunk.Progress is not { } progress)
        {
            return;
        }

        var pixels = Math.Max(1L, (long)progress.Width * progress.Height);
        secondsPerPixelIteration = chunk.ComputeSeconds / chunk.IterationsRun / pixels;
    }

    /// <summary>Iterations for the chunk that starts at <paramref name="current"/>.</summary>
    public int NextChunkIterations(ProgressSnapshot current)
    {
        if (secondsPerPixelIteration is not { } rate)
        {
            return Math.Clamp(policy.FirstChunkIterations, 1, policy.MaxChunkIterations);
        }

        double pixels = Math.Max(1L, (long)current.Width * current.Height);
        if (current.AtPhaseEnd)
        {
            // The next phase has not been measured and may be larger (a finer octave or scale).
            pixels *= Math.Max(1, policy.NextPhaseCostAllowance);
        }

        var iterations = policy.BudgetSeconds * SafetyFactor / (rate * pixels);
        return (int)Math.Clamp(Math.Floor(iterations), 1, policy.MaxChunkIterations);
    }
}
