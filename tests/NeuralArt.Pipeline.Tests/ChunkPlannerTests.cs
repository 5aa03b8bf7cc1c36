using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Orchestration;

namespace NeuralArt.Pipeline.Tests;

public sealed class ChunkPlannerTests
{
    private static ProgressSnapshot At(int phaseIteration, int phaseIterations = 100, int width = 100, int height = 100, bool complete = false) =>
        new(1, 3, phaseIteration, phaseIterations, phaseIteration, 300, 0, complete, width, height);

    private static ChunkOutcome Ran(int iterations, double seconds, ProgressSnapshot progress, bool resumed = false) =>
        new(null, progress, iterations, seconds, resumed, null, null);

    [Fact]
    public void The_first_chunk_measures_with_the_configured_iterations()
    {
        var planner = new ChunkPlanner(new ChunkingPolicy { FirstChunkIterations = 2 });
        Assert.Equal(2, planner.NextChunkIterations(At(0)));
    }

    [Fact]
    public void Later_chunks_fill_the_budget_at_the_measured_rate()
    {
        var planner = new ChunkPlanner(new ChunkingPolicy { BudgetSeconds = 60 });
        planner.Observe(Ran(2, 1.0, At(2))); // 0.5 s per iteration at 100x100
        // 60 s x 0.8 safety / 0.5 s = 96 iterations.
        Assert.Equal(96, planner.NextChunkIterations(At(2)));
        // Four times the pixels cost four times as much per iteration.
        Assert.Equal(24, planner.NextChunkIterations(At(2, width: 200, height: 200)));
    }

    [Fact]
    public void A_chunk_at_a_phase_end_allows_for_a_bigger_next_phase()
    {
        var planner = new ChunkPlanner(new ChunkingPolicy { BudgetSeconds = 60, NextPhaseCostAllowance = 4 });
        planner.Observe(Ran(2, 1.0, At(100)));
        Assert.Equal(24, planner.NextChunkIterations(At(100)));
    }

    [Fact]
    public void Resumed_chunks_teach_nothing_and_sizes_stay_within_bounds()
    {
        var planner = new ChunkPlanner(new ChunkingPolicy { BudgetSeconds = 60, FirstChunkIterations = 1, MaxChunkIterations = 50 });
        planner.Observe(Ran(5, 0, At(5), resumed: true));
        Assert.Null(planner.SecondsPerPixelIteration);
        Assert.Equal(1, planner.NextChunkIterations(At(5)));

        planner.Observe(Ran(1, 0.0001, At(6)));
        Assert.Equal(50, planner.NextChunkIterations(At(6)));
        planner.Observe(Ran(1, 1000, At(7)));
        Assert.Equal(1, planner.NextChunkIterations(At(7)));
    }
}
