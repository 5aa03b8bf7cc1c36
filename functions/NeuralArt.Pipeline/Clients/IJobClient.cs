using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Clients;

/// <summary>
/// What the HTTP handlers and the inbox need from a Durable client: start a job once, read it,
/// list recent ones, cancel one. The Functions app implements it over <c>DurableTaskClient</c>
/// (<see cref="DurableTaskJobClient"/>), the local host over the framework's <c>TaskHubClient</c>.
/// </summary>
public interface IJobClient
{
    /// <summary>Starts the job under <paramref name="jobId"/>; false when a job with that ID already exists (it is not started again).</summary>
    Task<bool> StartAsync(string jobId, JobRequest request, CancellationToken cancellationToken = default);

    Task<JobInstance?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Jobs created since <paramref name="createdFrom"/>, newest first, at most <paramref name="top"/>.</summary>
    Task<IReadOnlyList<JobInstance>> ListAsync(DateTimeOffset createdFrom, int top, CancellationToken cancellationToken = default);

    Task CancelAsync(string jobId, string reason, CancellationToken cancellationToken = default);
}

/// <summary>The Durable runtime states the API distinguishes.</summary>
public enum JobRuntimeStatus { Pending, Running, Completed, Failed, Cancelled, Unknown }

/// <summary>A job as the Durable backend reports it; the JSON payloads are kept as text.</summary>
public sealed record JobInstance(
    string Id,
    JobRuntimeStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string? SerializedInput,
    string? SerializedCustomStatus,
    string? SerializedOutput,
    string? FailureMessage);
