using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Engine.Jobs;
using NeuralArt.Pipeline.Clients;
using NeuralArt.Pipeline.Inbox;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// The HTTP API, written once for both hosts: the Functions app's <c>[HttpTrigger]</c> methods and the
/// local host's ASP.NET Core routes call these with the request and their <see cref="IJobClient"/>.
/// <list type="bullet">
/// <item><c>POST /api/jobs</c>: validate, start, 202 with Location and status URLs.</item>
/// <item><c>GET /api/jobs/{id}</c>: status, progress, result links (short-lived SAS).</item>
/// <item><c>GET /api/jobs?top=n</c>: recent jobs.</item>
/// <item><c>POST /api/jobs/{id}/cancel</c>: terminate a running job and drop its checkpoints.</item>
/// </list>
/// Invalid requests get 400 with a problem body whose <c>field</c> names the member at fault.
/// </summary>
public sealed class JobsApi(
    IArtworkStore store,
    CheckpointStore checkpoints,
    ArtworkEngines engines,
    JobRequestFactory requests,
    IOptions<PipelineOptions> options,
    TimeProvider clock,
    ILogger<JobsApi> logger)
{
    /// <summary>The route prefix both hosts serve the API under.</summary>
    public const string RoutePrefix = "api/jobs";

    /// <summary>Job bodies are small JSON documents (parameters, blob names): refuse anything larger.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private const int MaxListSize = 100;
    private const double MinChunkTimeBudgetSeconds = 1;
    private const double MaxChunkTimeBudgetSeconds = 3600;

    private readonly PipelineOptions settings = options.Value;

    public async Task<IResult> SubmitAsync(HttpRequest request, IJobClient client, CancellationToken cancellationToken)
    {
        JobRequest job;
        string jobId;
        try
        {
            var body = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
            (jobId, job) = await ValidateAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestValidationException e)
        {
            return ProblemResults.BadRequest(e.Field, e.Message);
        }

        var created = await client.StartAsync(jobId, job, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("HTTP job {JobId} ({Kind}, {Source}) {Outcome}.", jobId, job.Kind, job.Source, created ? "started" : "already existed");
        var self = JobUri(request, jobId);
        return Results.Accepted(self.ToString(), new JobAccepted(jobId, created, self, CancelUri(request, jobId)));
    }

    public async Task<IResult> GetAsync(HttpRequest request, string id, IJobClient client, CancellationToken cancellationToken)
    {
        var instance = JobIds.IsValid(id) ? await client.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
        if (instance is null)
        {
            return ProblemResults.NotFound($"There is no job '{id}'.");
        }

        return Results.Json(await ViewAsync(request, instance, withLinks: true, cancellationToken).ConfigureAwait(false));
    }

    public async Task<IResult> ListAsync(HttpRequest request, IJobClient client, CancellationToken cancellationToken)
    {
        var top = settings.DefaultListSize;
        if (request.Query.TryGetValue("top", out var topText)
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaxListSize))
        {
            return ProblemResults.BadRequest("top", $"top must be a whole number from 1 to {MaxListSize}.");
        }

        var instances = await client.ListAsync(clock.GetUtcNow() - settings.ListWindow, top, cancellationToken).ConfigureAwait(false);
        var views = new List<JobView>(instances.Count);
        foreach (var instance in instances)
        {
            views.Add(await ViewAsync(request, instance, withLinks: false, cancellationToken).ConfigureAwait(false));
        }

        return Results.Json(new JobList(views));
    }

    public async Task<IResult> CancelAsync(HttpRequest request, string id, IJobClient client, CancellationToken cancellationToken)
    {
        var instance = JobIds.IsValid(id) ? await client.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
        if (instance is null)
        {
            return ProblemResults.NotFound($"There is no job '{id}'.");
        }

        if (instance.Status is JobRuntimeStatus.Completed or JobRuntimeStatus.Failed or JobRuntimeStatus.Cancelled)
        {
            return ProblemResults.Conflict($"Job '{id}' has already ended ({StatusName(instance.Status)}).");
        }

        await client.CancelAsync(id, "Cancelled through the HTTP API.", cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job {JobId} cancelled.", id);
        await DropCheckpointsAsync(id, cancellationToken).ConfigureAwait(false);
        return Results.Accepted(JobUri(request, id).ToString(), new JobAccepted(id, false, JobUri(request, id), CancelUri(request, id)));
    }

    /// <summary>
    /// A terminated orchestration runs no more activities, so its checkpoints are dropped here. Best
    /// effort: a chunk already running when the job was cancelled may still write one, and storage may
    /// fail; the storage lifecycle policy (infra) deletes what is left under <c>jobs/</c> after a week.
    /// </summary>
    private async Task DropCheckpointsAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await checkpoints.DeleteOlderAsync(id, keepFrom: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Job {JobId} was cancelled but its checkpoints could not be deleted; the storage lifecycle policy will.", id);
        }
    }

    private static async Task<JobSubmission> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new RequestValidationException("body", $"The request body is larger than {MaxBodyBytes:N0} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new RequestValidationException("body", $"The request body is larger than {MaxBodyBytes:N0} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw new RequestValidationException("body", "The request body is empty; send a JSON object with kind, source and parameters.");
        }

        try
        {
            return JsonSerializer.Deserialize<JobSubmission>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), JobSubmission.JsonOptions)
                ?? throw new RequestValidationException("body", "The request body is null; send a JSON object.");
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            throw new RequestValidationException(field, $"The request body is not a valid job: {e.Message}");
        }
    }

    private async Task<(string Id, JobRequest Request)> ValidateAsync(JobSubmission body, CancellationToken cancellationToken)
    {
        var kind = body.Kind?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(kind))
        {
            throw new RequestValidationException("kind", $"kind is required: '{ArtworkKinds.Dream}' or '{ArtworkKinds.Style}'.");
        }

        if (kind is not (ArtworkKinds.Dream or ArtworkKinds.Style))
        {
            throw new RequestValidationException("kind", $"kind '{body.Kind}' is unknown: use '{ArtworkKinds.Dream}' or '{ArtworkKinds.Style}'.");
        }

        if (!engines.Supports(kind))
        {
            throw new RequestValidationException("kind", $"This host has no '{kind}' engine installed.");
        }

        var source = await ValidateSourceAsync("source", body.Source, cancellationToken).ConfigureAwait(false);

        BlobRef? style = null;
        if (kind == ArtworkKinds.Style)
        {
            style = await ValidateStyleAsync(body.Style, cancellationToken).ConfigureAwait(false);
        }
        else if (body.Style is not null)
        {
            throw new RequestValidationException("style", "Only style jobs take a style image.");
        }

        if (body.Parameters is not null and not JsonObject)
        {
            throw new RequestValidationException("parameters", "parameters must be a JSON object.");
        }

        if (body.ChunkTimeBudgetSeconds is { } budget && (double.IsNaN(budget) || budget < MinChunkTimeBudgetSeconds || budget > MaxChunkTimeBudgetSeconds))
        {
            throw new RequestValidationException("chunkBudgetSeconds", $"chunkBudgetSeconds must be from {MinChunkTimeBudgetSeconds} to {MaxChunkTimeBudgetSeconds}.");
        }

        var parameters = body.Parameters?.ToJsonString() ?? "{}";
        var job = requests.Create(kind, source, style, sidecar: null, parameters, JobOrigins.Http, body.ChunkTimeBudgetSeconds);
        return (JobIds.ForSubmission(kind, source.Name, Guid.NewGuid()), job);
    }

    private async Task<BlobRef> ValidateSourceAsync(string field, string? value, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new RequestValidationException(field, $"{field} is required: the image blob as container/name, for example {StorageLayout.UploadsContainer}/cat.jpg.");
        }

        if (!BlobRef.TryParse(value, out var blob))
        {
            throw new RequestValidationException(field, $"{field} '{value}' is not a blob reference of the form container/name.");
        }

        if (!StorageLayout.SourceContainers.Contains(blob.Container))
        {
            throw new RequestValidationException(field, $"{field} must be in one of the containers {string.Join(", ", StorageLayout.SourceContainers)}.");
        }

        var info = await store.GetInfoAsync(blob, cancellationToken).ConfigureAwait(false)
            ?? throw new RequestValidationException(field, $"{field} '{blob}' does not exist.");
        if (info.Size > settings.MaxSourceBytes)
        {
            throw new RequestValidationException(field, $"{field} '{blob}' is {info.Size:N0} bytes, more than the limit of {settings.MaxSourceBytes:N0}.");
        }

        return blob;
    }

    private async Task<BlobRef> ValidateStyleAsync(string? style, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(style))
        {
            throw new RequestValidationException("style", "Style jobs need style: a style name (an image in styles/) or a blob reference.");
        }

        if (style.Contains('/'))
        {
            return await ValidateSourceAsync("style", style, cancellationToken).ConfigureAwait(false);
        }

        var resolved = await InboxConventions.ResolveStyleAsync(store, style, cancellationToken).ConfigureAwait(false);
        if (!Path.HasExtension(resolved.Name))
        {
            throw new RequestValidationException("style", $"There is no style image named '{style}' in {StorageLayout.StylesContainer}/.");
        }

        return resolved;
    }

    private async Task<JobView> ViewAsync(HttpRequest request, JobInstance instance, bool withLinks, CancellationToken cancellationToken)
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
            Source = input?.Source.ToString(),
            Style = input?.Style?.ToString(),
            Status = StatusName(instance.Status),
            CreatedAt = instance.CreatedAt,
            LastUpdatedAt = instance.LastUpdatedAt,
            Progress = status,
            Preview = preview is null ? null : await LinkAsync(preview.Value, withLinks, cancellationToken).ConfigureAwait(false),
            Result = outcome is null ? null : await LinkAsync(outcome.Result, withLinks, cancellationToken).ConfigureAwait(false),
            Manifest = outcome is null
                ? (instance.Status == JobRuntimeStatus.Failed ? await LinkAsync(StorageLayout.Error(instance.Id), withLinks, cancellationToken).ConfigureAwait(false) : null)
                : await LinkAsync(outcome.Manifest, withLinks, cancellationToken).ConfigureAwait(false),
            Error = error,
            Links = new JobLinks(JobUri(request, instance.Id), CancelUri(request, instance.Id)),
        };
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
        catch (JsonException)
        {
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

    private static Uri JobUri(HttpRequest request, string id) => new($"{request.Scheme}://{request.Host}{request.PathBase}/{RoutePrefix}/{id}");

    private static Uri CancelUri(HttpRequest request, string id) => new($"{JobUri(request, id)}/cancel");
}
