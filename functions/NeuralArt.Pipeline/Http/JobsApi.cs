using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// The HTTP API, written once for both hosts: the Functions app's <c>[HttpTrigger]</c> methods and the
/// local host's ASP.NET Core routes call these with the request and their <see cref="IJobClient"/>.
/// <list type="bullet">
/// <item><c>GET /api/engines</c>: the engines' descriptors (kinds, input roles, parameters) under this host's caps.</item>
/// <item><c>POST /api/jobs</c>: checked at the door (<see cref="JobDoor"/>), admitted, started: 202 with Location and Retry-After; 400/413 naming the field; 429 with Retry-After when busy.</item>
/// <item><c>GET /api/jobs/{id}</c>: status, progress, result links (short-lived SAS): 202 + Retry-After while it runs, 200 once it ended.</item>
/// <item><c>GET /api/jobs?top=n&amp;continuationToken=t</c>: a page of recent jobs.</item>
/// <item><c>POST /api/jobs/{id}/cancel</c>: terminate a running job and drop its checkpoints.</item>
/// <item><c>DELETE /api/jobs/{id}</c>: purge an ended job (outputs, checkpoints, history): 204.</item>
/// </list>
/// </summary>
public sealed class JobsApi(
    IArtworkStore store,
    CheckpointStore checkpoints,
    JobDoor door,
    AdmissionControl admission,
    IOptions<PipelineOptions> options,
    IOptions<JobLimitsOptions> limits,
    TimeProvider clock,
    ILogger<JobsApi> logger)
{
    /// <summary>The route prefix both hosts serve the API under.</summary>
    public const string RoutePrefix = "api/jobs";

    /// <summary>The route of the engines' descriptors.</summary>
    public const string EnginesRoute = "api/engines";

    /// <summary>Job bodies are small JSON documents (parameters, blob names): refuse anything larger.</summary>
    public const int MaxBodyBytes = 256 * 1024;

    private const int MaxListSize = 100;

    /// <summary>Continuation tokens are the backend's; anything longer than this is not one of ours.</summary>
    private const int MaxContinuationTokenLength = 4096;

    /// <summary>How long a client should wait before polling a running job again (previews change once per chunk).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly PipelineOptions settings = options.Value;

    public IResult Engines() => Results.Json(new EngineList(door.Describe()));

    public async Task<IResult> SubmitAsync(HttpRequest request, IJobClient client, CancellationToken cancellationToken)
    {
        JobRequest job;
        NeuralArt.Contract.JobPlan plan;
        try
        {
            var body = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
            (job, plan) = await door.CheckAsync(ToOrder(body), cancellationToken).ConfigureAwait(false);
        }
        catch (JobRejectedException e)
        {
            logger.LogInformation("POST refused ({Status}, {Field}): {Reason}", e.Status, e.Field, e.Message);
            return ProblemResults.Rejected(e);
        }

        var jobId = JobIds.ForSubmission(job.Kind, job.Source.Name, Guid.NewGuid());
        if (await admission.HasWaitingAsync(cancellationToken).ConfigureAwait(false)
            || !await admission.TryAcquireAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            return Busy(request);
        }

        bool created;
        try
        {
            created = await client.StartAsync(jobId, job, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await admission.ReleaseAsync(jobId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        logger.LogInformation("HTTP job {JobId} ({Kind}, {Source}) {Outcome}.", jobId, job.Kind, job.Source, created ? "started" : "already existed");
        request.HttpContext.Response.Headers.RetryAfter = RetryAfterText(PollInterval);
        var self = JobUri(request, jobId);
        var planView = new PlanView(JsonNode.Parse(plan.ParametersJson), plan.Model, plan.Stages, plan.Cost);
        return Results.Accepted(self.ToString(), new JobAccepted(jobId, created, self, CancelUri(request, jobId), planView));
    }

    private IResult Busy(HttpRequest request)
    {
        var retryAfter = limits.Value.BusyRetryAfter;
        request.HttpContext.Response.Headers.RetryAfter = RetryAfterText(retryAfter);
        return ProblemResults.Create(StatusCodes.Status429TooManyRequests, "Busy",
            $"This host runs at most {limits.Value.MaxRunningJobs} jobs at once and all are taken; try again in {retryAfter.TotalSeconds:G} s.", null);
    }

    private static string RetryAfterText(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The body's inputs as role -> references; a role takes a string or an array of strings.</summary>
    private static JobOrder ToOrder(JobSubmission body)
    {
        var inputs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (role, value) in body.Inputs ?? [])
        {
            var field = NeuralArt.Contract.ParameterSchema.Printable(role);
            inputs[role] = value switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
                JsonArray items when items.All(i => i is JsonValue iv && iv.GetValueKind() == JsonValueKind.String) => items.Select(i => i!.GetValue<string>()).ToList(),
                _ => throw JobRejectedException.BadRequest(field, $"The '{field}' input must be a blob reference (a string) or an array of them."),
            };
        }

        if (body.Parameters is not null and not JsonObject)
        {
            throw JobRejectedException.BadRequest("parameters", "parameters must be a JSON object.");
        }

        return new JobOrder(body.Kind, inputs, body.Parameters?.ToJsonString() ?? "{}", body.ChunkTimeBudgetSeconds, JobOrigins.Http);
    }

    public async Task<IResult> GetAsync(HttpRequest request, string id, IJobClient client, CancellationToken cancellationToken)
    {
        var instance = JobIds.IsValid(id) ? await client.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
        if (instance is null)
        {
            return ProblemResults.NotFound("There is no such job.");
        }

        var view = await SafeViewAsync(request, instance, withLinks: true, cancellationToken).ConfigureAwait(false);
        if (instance.Status is JobRuntimeStatus.Pending or JobRuntimeStatus.Running)
        {
            // Durable HTTP conventions: 202 while the job runs, with when to ask again.
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterText(PollInterval);
            request.HttpContext.Response.Headers.Location = JobUri(request, id).ToString();
            return Results.Json(view, statusCode: StatusCodes.Status202Accepted);
        }

        return Results.Json(view);
    }

    public async Task<IResult> ListAsync(HttpRequest request, IJobClient client, CancellationToken cancellationToken)
    {
        var top = settings.DefaultListSize;
        if (request.Query.TryGetValue("top", out var topText)
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaxListSize))
        {
            return ProblemResults.BadRequest("top", $"top must be a whole number from 1 to {MaxListSize}.");
        }

        string? token = request.Query.TryGetValue("continuationToken", out var tokenText) ? tokenText.ToString() : null;
        if (token is { Length: > MaxContinuationTokenLength } || (token is not null && token.Any(char.IsControl)))
        {
            return ProblemResults.BadRequest("continuationToken", "continuationToken is not a token this API gave out.");
        }

        JobPage page;
        try
        {
            page = await client.ListAsync(clock.GetUtcNow() - settings.ListWindow, top, string.IsNullOrEmpty(token) ? null : token, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (token is not null && e is not OperationCanceledException)
        {
            logger.LogInformation(e, "A list request's continuation token was refused by the backend.");
            return ProblemResults.BadRequest("continuationToken", "continuationToken is not a token this API gave out (or it expired).");
        }

        var views = new List<JobView>(page.Jobs.Count);
        foreach (var instance in page.Jobs)
        {
            // Preview links only: the gallery shows thumbnails, never full-size results.
            views.Add(await SafeViewAsync(request, instance, withLinks: false, cancellationToken).ConfigureAwait(false));
        }

        return Results.Json(new JobList(views, page.ContinuationToken));
    }

    public async Task<IResult> CancelAsync(HttpRequest request, string id, IJobClient client, CancellationToken cancellationToken)
    {
        var instance = JobIds.IsValid(id) ? await client.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
        if (instance is null)
        {
            return ProblemResults.NotFound("There is no such job.");
        }

        if (instance.Status is JobRuntimeStatus.Completed or JobRuntimeStatus.Failed or JobRuntimeStatus.Cancelled)
        {
            return ProblemResults.Conflict($"Job '{id}' has already ended ({StatusName(instance.Status)}).");
        }

        await client.CancelAsync(id, "Cancelled through the HTTP API.", cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job {JobId} cancelled.", id);
        await DropCheckpointsAsync(id, cancellationToken).ConfigureAwait(false);
        await admission.ReleaseAsync(id, cancellationToken).ConfigureAwait(false);
        return Results.Accepted(JobUri(request, id).ToString(), new JobAccepted(id, false, JobUri(request, id), CancelUri(request, id)));
    }

    /// <summary>Purges an ended job: its outputs, checkpoints and Durable history; 409 while it runs.</summary>
    public async Task<IResult> DeleteAsync(string id, IJobClient client, CancellationToken cancellationToken)
    {
        var instance = JobIds.IsValid(id) ? await client.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
        if (instance is null)
        {
            return ProblemResults.NotFound("There is no such job.");
        }

        if (instance.Status is JobRuntimeStatus.Pending or JobRuntimeStatus.Running)
        {
            return ProblemResults.Conflict($"Job '{id}' is still {StatusName(instance.Status)}; cancel it first.");
        }

        await foreach (var blob in store.ListAsync(StorageLayout.OutputsContainer, id + "/", cancellationToken).ConfigureAwait(false))
        {
            await store.DeleteAsync(blob.Blob, cancellationToken).ConfigureAwait(false);
        }

        await checkpoints.DeleteAllAsync(id, cancellationToken).ConfigureAwait(false);
        await admission.ReleaseAsync(id, cancellationToken).ConfigureAwait(false);
        await client.PurgeAsync(id, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job {JobId} purged.", id);
        return Results.NoContent();
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
            await checkpoints.DeleteAllAsync(id, cancellationToken).ConfigureAwait(false);
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
            throw JobRejectedException.BadRequest("body", $"The request body is larger than {MaxBodyBytes:N0} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw JobRejectedException.BadRequest("body", $"The request body is larger than {MaxBodyBytes:N0} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw JobRejectedException.BadRequest("body", "The request body is empty; send a JSON object with kind, inputs and parameters.");
        }

        try
        {
            return JsonSerializer.Deserialize<JobSubmission>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), JobSubmission.JsonOptions)
                ?? throw JobRejectedException.BadRequest("body", "The request body is null; send a JSON object.");
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            throw JobRejectedException.BadRequest(field, $"The request body is not a valid job: {e.Message}");
        }
    }

    /// <summary>A job's view; a job whose stored data cannot be read is shown with the reason instead of failing the call.</summary>
    private async Task<JobView> SafeViewAsync(HttpRequest request, JobInstance instance, bool withLinks, CancellationToken cancellationToken)
    {
        try
        {
            return await ViewAsync(request, instance, withLinks, cancellationToken).ConfigureAwait(false);
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
                Links = new JobLinks(JobUri(request, instance.Id), CancelUri(request, instance.Id)),
            };
        }
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
            Links = new JobLinks(JobUri(request, instance.Id), CancelUri(request, instance.Id)),
        };
    }

    /// <summary>Each output with its files' links (a sequence's frames are bounded by the host's frame cap).</summary>
    private async Task<IReadOnlyDictionary<string, OutputView>> OutputViewsAsync(
        IReadOnlyDictionary<string, JobOutput> outputs, bool withLinks, CancellationToken cancellationToken)
    {
        var views = new Dictionary<string, OutputView>(StringComparer.Ordinal);
        foreach (var (name, output) in outputs)
        {
            var files = new List<BlobLink>(output.Files.Count);
            foreach (var file in output.Files) files.Add(await LinkAsync(file, withLinks, cancellationToken).ConfigureAwait(false));
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

    private static Uri JobUri(HttpRequest request, string id) => new($"{request.Scheme}://{request.Host}{request.PathBase}/{RoutePrefix}/{id}");

    private static Uri CancelUri(HttpRequest request, string id) => new($"{JobUri(request, id)}/cancel");
}
