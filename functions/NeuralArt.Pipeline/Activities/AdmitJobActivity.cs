using Microsoft.DurableTask;
using NeuralArt.Pipeline.Admission;

namespace NeuralArt.Pipeline.Activities;

/// <summary>A waiting inbox job's poll for an admission slot (<see cref="AdmissionControl.TryAdmitQueuedAsync"/>); true when it may start.</summary>
public sealed class AdmitJobActivity(AdmissionControl admission) : TaskActivity<string, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, string jobId) => ExecuteAsync(jobId, CancellationToken.None);

    public Task<bool> ExecuteAsync(string jobId, CancellationToken cancellationToken) => admission.TryAdmitQueuedAsync(jobId, cancellationToken);
}
