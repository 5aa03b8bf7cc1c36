using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.Query;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Orchestration;
using NeuralArt.Pipeline.Sweeps;

namespace NeuralArt.Host.Durable;

/// <summary><see cref="IJobClient"/> over the framework's <see cref="TaskHubClient"/>.</summary>
public sealed class TaskHubJobClient(DurableTaskHub hub) : IJobClient
{
    /// <summary>Any existing instance, whatever its state, means "already started": a job runs once.</summary>
    private static readonly OrchestrationStatus[] DedupeStatuses = Enum.GetValues<OrchestrationStatus>();

    public Task<bool> StartAsync(string jobId, JobRequest request, CancellationToken cancellationToken = default) =>
        StartOnceAsync(ArtworkOrchestration.Name, jobId, request);

    public Task<bool> StartSweepAsync(string sweepId, SweepRequest request, CancellationToken cancellationToken = default) =>
        StartOnceAsync(SweepOrchestration.Name, sweepId, request);

    private async Task<bool> StartOnceAsync(string orchestration, string jobId, object request)
    {
        try
        {
            await hub.Client.CreateOrchestrationInstanceAsync(
                orchestration, string.Empty, jobId, request, tags: null, DedupeStatuses).ConfigureAwait(false);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return false;
        }
    }

    public async Task<JobInstance?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var state = await hub.Client.GetOrchestrationStateAsync(jobId).ConfigureAwait(false);
        return state is null ? null : ToInstance(state);
    }

    public async Task<JobPage> ListAsync(DateTimeOffset createdFrom, int top, string? continuationToken, CancellationToken cancellationToken = default)
    {
        var query = new OrchestrationQuery
        {
            CreatedTimeFrom = createdFrom.UtcDateTime,
            PageSize = top,
            FetchInputsAndOutputs = true,
            ContinuationToken = continuationToken,
        };
        var page = await hub.Service.GetOrchestrationWithQueryAsync(query, cancellationToken).ConfigureAwait(false);
        var jobs = page.OrchestrationState.Where(s => s.Name == ArtworkOrchestration.Name).Select(ToInstance).OrderByDescending(j => j.CreatedAt).ToList();
        return new JobPage(jobs, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
    }

    public Task CancelAsync(string jobId, string reason, CancellationToken cancellationToken = default) =>
        hub.Client.TerminateInstanceAsync(new OrchestrationInstance { InstanceId = jobId }, reason);

    public Task RaiseEventAsync(string jobId, string eventName, object payload, CancellationToken cancellationToken = default) =>
        hub.Client.RaiseEventAsync(new OrchestrationInstance { InstanceId = jobId }, eventName, payload);

    public async Task<bool> PurgeAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var result = await ((IOrchestrationServicePurgeClient)hub.Service).PurgeInstanceStateAsync(jobId).ConfigureAwait(false);
        return result.DeletedInstanceCount > 0;
    }

    private static JobInstance ToInstance(OrchestrationState s) => new(
        s.OrchestrationInstance.InstanceId,
        s.OrchestrationStatus switch
        {
            OrchestrationStatus.Pending => JobRuntimeStatus.Pending,
            OrchestrationStatus.Running or OrchestrationStatus.ContinuedAsNew or OrchestrationStatus.Suspended => JobRuntimeStatus.Running,
            OrchestrationStatus.Completed => JobRuntimeStatus.Completed,
            OrchestrationStatus.Failed => JobRuntimeStatus.Failed,
            OrchestrationStatus.Terminated or OrchestrationStatus.Canceled => JobRuntimeStatus.Cancelled,
            _ => JobRuntimeStatus.Unknown,
        },
        new DateTimeOffset(DateTime.SpecifyKind(s.CreatedTime, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(s.LastUpdatedTime, DateTimeKind.Utc)),
        s.Input,
        s.Status,
        s.Output,
        s.FailureDetails?.ErrorMessage ?? (s.OrchestrationStatus == OrchestrationStatus.Failed ? s.Output : null),
        s.Name);
}
