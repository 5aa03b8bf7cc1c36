using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Orchestration;
using NeuralArt.Pipeline.Sweeps;

namespace NeuralArt.Pipeline.Durable;

/// <summary><see cref="IJobClient"/> over the portable <see cref="DurableTaskClient"/> (Functions app, in-process test host).</summary>
public sealed class DurableTaskJobClient(DurableTaskClient client) : IJobClient
{
    public Task<bool> StartAsync(string jobId, JobRequest request, CancellationToken cancellationToken = default) =>
        StartOnceAsync(ArtworkOrchestration.Name, jobId, request, cancellationToken);

    public Task<bool> StartSweepAsync(string sweepId, SweepRequest request, CancellationToken cancellationToken = default) =>
        StartOnceAsync(SweepOrchestration.Name, sweepId, request, cancellationToken);

    private async Task<bool> StartOnceAsync(string orchestration, string jobId, object request, CancellationToken cancellationToken)
    {
        // Backends differ on what a second start with the same ID does (Azure Storage may replace a
        // finished instance), so look first; the duplicate-start error covers the race between two.
        if (await client.GetInstanceAsync(jobId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                orchestration, request, new StartOrchestrationOptions(jobId), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsAlreadyExists(e))
        {
            return false;
        }
    }

    public async Task<JobInstance?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var metadata = await client.GetInstanceAsync(jobId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        return metadata is null ? null : ToInstance(metadata);
    }

    public async Task<JobPage> ListAsync(DateTimeOffset createdFrom, int top, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var query = new OrchestrationQuery { CreatedFrom = createdFrom, PageSize = top, FetchInputsAndOutputs = true, ContinuationToken = continuationToken };
        await foreach (var page in client.GetAllInstancesAsync(query).AsPages(continuationToken, top).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var jobs = page.Values.Where(m => m.Name == ArtworkOrchestration.Name).Select(ToInstance).OrderByDescending(j => j.CreatedAt).ToList();
            return new JobPage(jobs, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }

        return new JobPage([], null);
    }

    public Task CancelAsync(string jobId, string reason, CancellationToken cancellationToken = default) =>
        client.TerminateInstanceAsync(jobId, (object)reason, cancellationToken);

    public Task RaiseEventAsync(string jobId, string eventName, object payload, CancellationToken cancellationToken = default) =>
        client.RaiseEventAsync(jobId, eventName, payload, cancellationToken);

    public async Task<bool> PurgeAsync(string jobId, CancellationToken cancellationToken = default) =>
        (await client.PurgeInstanceAsync(jobId, cancellation: cancellationToken).ConfigureAwait(false)).PurgedInstanceCount > 0;

    private static JobInstance ToInstance(OrchestrationMetadata m) => new(
        m.InstanceId,
        m.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Pending => JobRuntimeStatus.Pending,
            OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Suspended => JobRuntimeStatus.Running,
            OrchestrationRuntimeStatus.Completed => JobRuntimeStatus.Completed,
            OrchestrationRuntimeStatus.Failed => JobRuntimeStatus.Failed,
            OrchestrationRuntimeStatus.Terminated => JobRuntimeStatus.Cancelled,
            _ => JobRuntimeStatus.Unknown,
        },
        m.CreatedAt,
        m.LastUpdatedAt,
        m.SerializedInput,
        m.SerializedCustomStatus,
        m.SerializedOutput,
        m.FailureDetails?.ErrorMessage,
        m.Name);

    private static bool IsAlreadyExists(Exception e) =>
        // gRPC backends say StatusCode.AlreadyExists, others throw InvalidOperationException; neither type is shared.
        e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("AlreadyExists", StringComparison.Ordinal);
}
