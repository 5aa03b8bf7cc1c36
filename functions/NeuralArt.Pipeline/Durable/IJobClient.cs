using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Durable;

/// <summary>
/// What the HTTP handlers and the inbox need from a Durable client: start a job once, read it,
/// list recent ones, cancel one. The Functions app implements it over <c>DurableTaskClient</c>
/// (<see cref="DurableTaskJobClient"/>), the local host over the framework's <c>TaskHubClient</c>.
/// </summary>
public interface IJobClient
{
    /// <summary>Starts the job under <paramref name="jobId"/>; false when a job with that ID already exists (it is not started again).</summary>
    Task<bool> StartAsync(string jobId, JobRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts a sweep (<see cref="Sweeps.SweepOrchestration"/>) under <paramref name="sweepId"/>; false when it already exists.</summary>
    Task<bool> StartSweepAsync(string sweepId, Sweeps.SweepRequest request, CancellationToken cancellationToken = default);

    Task<JobInstance?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of jobs created since <paramref name="createdFrom"/>: at most <paramref name="top"/>,
    /// read from the backend one page at a time (the cost of a call never grows with the number of
    /// jobs), and the token of the next page (null at the end).
    /// </summary>
    Task<JobPage> ListAsync(DateTimeOffset createdFrom, int top, string? continuationToken, CancellationToken cancellationToken = default);

    Task CancelAsync(string jobId, string reason, CancellationToken cancellationToken = default);

    /// <summary>Delivers an external event to the job's orchestration (a queued chunk's result).</summary>
    Task RaiseEventAsync(string jobId, string eventName, object payload, CancellationToken cancellationToken = default);

    /// <summary>Deletes an ended job's history from the backend; false when there was none.</summary>
    Task<bool> PurgeAsync(string jobId, CancellationToken cancellationToken = default);
}

/// <summary>A page of jobs and the token of the next one.</summary>
public sealed record JobPage(IReadOnlyList<JobInstance> Jobs, string? ContinuationToken);

/// <summary>The Durable runtime states the API distinguishes.</summary>
public enum JobRuntimeStatus { Pending, Running, Completed, Failed, Cancelled, Unknown }

/// <summary>A job as the Durable backend reports it; the JSON payloads are kept as text, <c>Name</c> is the orchestration's.</summary>
public sealed record JobInstance(
    string Id,
    JobRuntimeStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string? SerializedInput,
    string? SerializedCustomStatus,
    string? SerializedOutput,
    string? FailureMessage,
    string? Name = null);
