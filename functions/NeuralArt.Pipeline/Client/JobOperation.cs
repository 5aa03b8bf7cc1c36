using NeuralArt.Pipeline.Http;

namespace NeuralArt.Pipeline.Client;

/// <summary>
/// A started job as a pollable long-running operation (the Azure SDK's <c>Operation&lt;T&gt;</c>
/// pattern): <see cref="UpdateStatusAsync"/> asks once, <see cref="WaitForCompletionAsync"/> polls,
/// following the API's <c>Retry-After</c>, until the job has ended, reporting each status on the way.
/// </summary>
public sealed class JobOperation
{
    private readonly NeuralArtClient _client;

    internal JobOperation(NeuralArtClient client, JobAccepted accepted)
    {
        _client = client;
        Accepted = accepted;
    }

    public string Id => Accepted.Id;

    /// <summary>What <c>POST /api/jobs</c> answered: the job's links and its plan (effective parameters, cost).</summary>
    public JobAccepted Accepted { get; }

    /// <summary>The latest status read; null before the first poll.</summary>
    public JobView? Value { get; private set; }

    /// <summary>True once the job has ended (completed, failed or cancelled).</summary>
    public bool HasCompleted => Value?.Status is "completed" or "failed" or "cancelled" or "unknown";

    /// <summary>Reads the job's status once.</summary>
    public async Task<JobView> UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        var (view, retryAfter) = await _client.GetJobWithRetryAfterAsync(Id, cancellationToken).ConfigureAwait(false);
        Value = view;
        NextPoll = retryAfter;
        return view;
    }

    /// <summary>Polls until the job has ended and returns its final status.</summary>
    public async Task<JobView> WaitForCompletionAsync(IProgress<JobView>? progress = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var view = await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
            progress?.Report(view);
            if (HasCompleted) return view;
            await Task.Delay(_client.PollDelay(NextPoll), cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan? NextPoll { get; set; }
}
