using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// Builds what <c>GET /api/jobs/{id}</c> and the job list show of a job: from the Durable instance
/// (its input, custom status and output as the orchestration wrote them) plus links to the blobs it
/// names, signed for <see cref="PipelineOptions.ResultLinkLifetime"/>. Reads only; never fails a call
/// because one job's stored data is unreadable.
/// </summary>
internal sealed class JobViews(IArtworkStore store, PipelineOptions settings, ILogger logger)
{
    /// <summary>A job's view; a job whose stored data cannot be read is shown with the reason instead of failing the call.</summary>
    public async Task<JobView> ViewAsync(HttpRequest request, JobInstance instance, bool withLinks, CancellationToken cancellationToken)
    {
        try
        {
            return await BuildAsync(request, instance, withLinks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Job {JobId}: its stored data cannot be shown.", instance.Id);
            return new JobView
            {
                Id = instance.Id,
                Status = "unknown",
                CreatedAt = instance.CreatedAt,
                LastUpdatedAt = instance.LastUpdatedAt,
                Error = new JobError("This job's stored data cannot be read.", null, "unknown", false),
                Links = new JobLinks(JobsApi.JobUri(request, instance.Id), JobsApi.CancelUri(request, instance.Id)),
            };
        }
    }

    private async Task<JobView> BuildAsync(HttpRequest request, JobInstance instance, bool withLinks, CancellationToken cancellationToken)
    {
        var input = TryDeserialize<JobRequest>(instance.SerializedInput);
        var status = TryDeserialize<JobStatus>(instance.SerializedCustomStatus);
        var outcome = instance.Status == JobRuntimeStatus.Completed ? TryDeserialize<JobOutcome>(instance.SerializedOutput) : null;

        JobError? error = instance.Status switch
        {
            JobRuntimeStatus.Failed => status?.Error ?? new JobError(instance.FailureMessage ?? "The job failed.", null, status?.Phase ?? "unknown", false),
            JobRuntimeStatus.Cancelled => new JobError("The job was cancelled.", null, status?.Phase ?? "unknown", false),
            _ => null,
        };

        var preview = outcome?.Preview ?? status?.Preview;
        return new JobView
        {
            Id = instance.Id,
            Kind = input?.Kind,
            Origin = input?.Origin,
            Sweep = input?.Sweep,
            Inputs = input?.Inputs.GroupBy(i => i.Role, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(i => i.Blob.ToString()).ToList(), StringComparer.Ordinal),
            Source = input is null ? null : await LinkAsync(input.Source, withLinks, cancellationToken).ConfigureAwait(false),
            Status = StatusName(instance.Status),
            CreatedAt = instance.CreatedAt,
            LastUpdatedAt = instance.LastUpdatedAt,
            Progress = status,
            Preview = preview is null ? null : await LinkAsync(preview.Value, withUrl: true, cancellationToken).ConfigureAwait(false),
            Result = outcome?.Result is { } result ? await LinkAsync(result, withLinks, cancellationToken).ConfigureAwait(false) : null,
            Outputs = outcome?.Outputs is { } outputs ? await OutputViewsAsync(outputs, withLinks, cancellationToken).ConfigureAwait(false) : null,
            Manifest = outcome?.Manifest is { } manifest
                ? await LinkAsync(manifest, withLinks, cancellationToken).ConfigureAwait(false)
                : (instance.Status == JobRuntimeStatus.Failed ? await LinkAsync(StorageLayout.Error(instance.Id), withLinks, cancellationToken).ConfigureAwait(false) : null),
            Error = error,
            Links = new JobLinks(JobsApi.JobUri(request, instance.Id), JobsApi.CancelUri(request, instance.Id)),
        };
    }

    /// <summary>
    /// Each output with its files' links (a sequence's frames are bounded by the host's frame cap). A
    /// list (no links) shows a sequence's first frame and its count only: a page of jobs stays small
    /// whatever their frame counts; the job's own view lists every frame.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, OutputView>> OutputViewsAsync(
        IReadOnlyDictionary<string, JobOutput> outputs, bool withLinks, CancellationToken cancellationToken)
    {
        var views = new Dictionary<string, OutputView>(StringComparer.Ordinal);
        foreach (var (name, output) in outputs)
        {
            var shown = withLinks ? output.Files : output.Files.Take(1).ToList();
            var files = new List<BlobLink>(shown.Count);
            foreach (var file in shown) files.Add(await LinkAsync(file, withLinks, cancellationToken).ConfigureAwait(false));
            views[name] = new OutputView(output.Kind, files, output.Frames);
        }

        return views;
    }

    private async Task<BlobLink> LinkAsync(BlobRef blob, bool withUrl, CancellationToken cancellationToken) =>
        new(blob.ToString(), withUrl ? await store.GetReadLinkAsync(blob, settings.ResultLinkLifetime, cancellationToken).ConfigureAwait(false) : null);

    private static T? TryDeserialize<T>(string? json) where T : class
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, StatusJsonOptions);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            // A job stored by an older version, or with a name no longer valid: shown without it.
            return null;
        }
    }

    private static readonly JsonSerializerOptions StatusJsonOptions = new() { PropertyNameCaseInsensitive = true };

    public static string StatusName(JobRuntimeStatus status) => status switch
    {
        JobRuntimeStatus.Pending => "pending",
        JobRuntimeStatus.Running => "running",
        JobRuntimeStatus.Completed => "completed",
        JobRuntimeStatus.Failed => "failed",
        JobRuntimeStatus.Cancelled => "cancelled",
        _ => "unknown",
    };
}
