using Microsoft.DurableTask;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Orchestration;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>
/// A sweep: fan out one <see cref="ArtworkOrchestration"/> per cell as a sub-orchestration whose
/// instance ID is the cell's job ID (so each cell is an ordinary job with its own job.json, served by
/// the jobs API), fan in as they end, then draw the contact sheet. Every cell waits for an admission
/// slot like a queued inbox job (<see cref="JobRequest.AwaitAdmission"/>), so a sweep never holds
/// more slots than the host's running cap and no cell is refused for being one too many. A failed
/// cell is recorded and marked on the sheet; the others go on.
/// </summary>
public sealed class SweepOrchestration : TaskOrchestrator<SweepRequest, SweepOutcome>
{
    public const string Name = "SweepOrchestration";

    /// <summary>Status names of a cell's outcome (the jobs API's words).</summary>
    public const string CellCompleted = "completed";
    public const string CellFailed = "failed";

    private static readonly TaskOptions SheetRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(2)));

    public override async Task<SweepOutcome> RunAsync(TaskOrchestrationContext context, SweepRequest input)
    {
        var total = input.Cells.Count;
        context.SetCustomStatus(new SweepStatus(SweepPhases.Running, total, 0, 0));
        var running = new List<(Task<JobOutcome> Task, SweepCell Cell)>(total);
        foreach (var cell in input.Cells)
        {
            running.Add((context.CallSubOrchestratorAsync<JobOutcome>(ArtworkOrchestration.Name, cell.Request, new SubOrchestrationOptions { InstanceId = cell.JobId }), cell));
        }

        var outcomes = new SweepCellOutcome[total];
        int completed = 0, failed = 0;
        while (running.Count > 0)
        {
            var done = await Task.WhenAny(running.Select(r => r.Task));
            var index = running.FindIndex(r => r.Task == done);
            var cell = running[index].Cell;
            running.RemoveAt(index);
            try
            {
                var outcome = await done;
                outcomes[cell.Index] = new SweepCellOutcome(cell.JobId, CellCompleted, outcome.Result, outcome.Preview, null);
                completed++;
            }
            catch (TaskFailedException e)
            {
                // The cell wrote its error.json (or was cancelled on its own); the sweep keeps the reason and
                // goes on with the others. A terminated cell's failure comes without failure details.
                outcomes[cell.Index] = new SweepCellOutcome(cell.JobId, CellFailed, null, null, e.FailureDetails?.ErrorMessage ?? e.Message);
                failed++;
            }

            context.SetCustomStatus(new SweepStatus(SweepPhases.Running, total, completed, failed));
        }

        context.SetCustomStatus(new SweepStatus(SweepPhases.Sheet, total, completed, failed));
        var result = await context.CallActivityAsync<SweepOutcome>(SweepSheetActivity.Name, new SweepSheetInput(context.InstanceId, input, outcomes), SheetRetry);
        context.SetCustomStatus(new SweepStatus(SweepPhases.Completed, total, completed, failed));
        return result;
    }
}
