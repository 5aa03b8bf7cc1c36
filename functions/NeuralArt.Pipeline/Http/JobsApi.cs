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
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly PipelineOptions settings = options.Value;

    private readonly JobViews views = new(store, options.Value, logger);

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

    internal static string RetryAfterText(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The body's inputs as role -> references; a role takes a string or an array of strings.</summary>
    private static JobOrder ToOrder(JobSubmission body) =>
        ToOrder(body.Kind, body.Inputs, body.Parameters, body.ChunkTimeBudgetSeconds);

    /// <summary>A job order from the members a job and a sweep body share.</summary>
    internal static JobOrder ToOrder(string? kind, JsonObject? bodyInputs, JsonNode? parameters, double? chunkBudgetSeconds)
    {
        var inputs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (role, value) in bodyInputs ?? [])
        {
            var field = NeuralArt.Contract.ParameterSchema.Printable(role);
            inputs[role] = value switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
                JsonArray items when items.All(i => i is JsonValue iv && iv.GetValueKind() == JsonValueKind.String) => items.Select(i => i!.GetValue<string>()).ToList(),
                _ => throw JobRejectedException.BadRequest(field, $"The '{field}' input must be a blob reference (a string) or an array of them."),
            };
        }

        if (parameters is not null and not JsonObject)
        {
            throw JobRejectedException.BadRequest("parameters", "parameters must be a JSON object.");
        }

        return new JobOrder(kind, inputs, parameters?.ToJsonString() ?? "{}", chunkBudgetSeconds, JobOrigins.Http);
    }

    public async Task<IResult> GetAsync(HttpRequest request, string id, IJobClient client, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, client, cancellationToken).ConfigureAwait(false) is not { } instance)
        {
            return NoSuchJob;
        }

        var view = await views.ViewAsync(request, instance, withLinks: true, cancellationToken).ConfigureAwait(false);
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

        var jobs = new List<JobView>(page.Jobs.Count);
        foreach (var instance in page.Jobs)
        {
            // Preview links only: the gallery shows thumbnails, never full-size results.
            jobs.Add(await views.ViewAsync(request, instance, withLinks: false, cancellationToken).ConfigureAwait(false));
        }

        return Results.Json(new JobList(jobs, page.ContinuationToken));
    }

    public async Task<IResult> CancelAsync(HttpRequest request, string id, IJobClient client, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, client, cancellationToken).ConfigureAwait(false) is not { } instance)
        {
            return NoSuchJob;
        }

        if (instance.Status is JobRuntimeStatus.Completed or JobRuntimeStatus.Failed or JobRuntimeStatus.Cancelled)
        {
            return ProblemResults.Conflict($"Job '{id}' has already ended ({JobViews.StatusName(instance.Status)}).");
        }

        await TerminateAsync(id, client, cancellationToken).ConfigureAwait(false);
        return Results.Accepted(JobUri(request, id).ToString(), new JobAccepted(id, false, JobUri(request, id), CancelUri(request, id)));
    }

    /// <summary>Purges an ended job: its outputs, checkpoints and Durable history; 409 while it runs.</summary>
    public async Task<IResult> DeleteAsync(string id, IJobClient client, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, client, cancellationToken).ConfigureAwait(false) is not { } instance)
        {
            return NoSuchJob;
        }

        if (instance.Status is JobRuntimeStatus.Pending or JobRuntimeStatus.Running)
        {
            return ProblemResults.Conflict($"Job '{id}' is still {JobViews.StatusName(instance.Status)}; cancel it first.");
        }

        await PurgeAsync(id, client, cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    /// <summary>Ends a running job (or a sweep's cell): terminates it, drops its checkpoints, frees its slot.</summary>
    internal async Task TerminateAsync(string id, IJobClient client, CancellationToken cancellationToken)
    {
        await client.CancelAsync(id, "Cancelled through the HTTP API.", cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job {JobId} cancelled.", id);
        await DropCheckpointsAsync(id, cancellationToken).ConfigureAwait(false);
        await admission.ReleaseAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes an ended job's (or sweep's) outputs, checkpoints, slot and Durable history.</summary>
    internal async Task PurgeAsync(string id, IJobClient client, CancellationToken cancellationToken)
    {
        await foreach (var blob in store.ListAsync(StorageLayout.OutputsContainer, id + "/", cancellationToken).ConfigureAwait(false))
        {
            await store.DeleteAsync(blob.Blob, cancellationToken).ConfigureAwait(false);
        }

        await checkpoints.DeleteAllAsync(id, cancellationToken).ConfigureAwait(false);
        await admission.ReleaseAsync(id, cancellationToken).ConfigureAwait(false);
        await client.PurgeAsync(id, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job {JobId} purged.", id);
    }

    /// <summary>
    /// The job under <paramref name="id"/>, or null: the backend is asked only for an ID of <see cref="JobIds"/>'
    /// form, and a sweep (<c>/api/sweeps/{id}</c>) is not a job.
    /// </summary>
    private static async Task<JobInstance?> FindAsync(string id, IJobClient client, CancellationToken cancellationToken) =>
        JobIds.IsValid(id) && await client.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } instance
            && instance.Name != Sweeps.SweepOrchestration.Name
            ? instance
            : null;

    /// <summary>Get, cancel and delete answer a malformed ID and an unknown one alike.</summary>
    private static IResult NoSuchJob => ProblemResults.NotFound("There is no such job.");

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

    /// <summary>A job's view for another handler (a sweep's cells).</summary>
    internal Task<JobView> ViewAsync(HttpRequest request, JobInstance instance, bool withLinks, CancellationToken cancellationToken) =>
        views.ViewAsync(request, instance, withLinks, cancellationToken);

    private static Task<JobSubmission> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken) =>
        JsonBody.ReadAsync<JobSubmission>(request, BodyRules, JobSubmission.JsonOptions, cancellationToken);

    private static readonly JsonBodyRules BodyRules = new(
        MaxBodyBytes,
        $"The request body is larger than {MaxBodyBytes:N0} bytes.",
        "The request body is null; send a JSON object.",
        e => $"The request body is not a valid job: {e.Message}")
    {
        Empty = "The request body is empty; send a JSON object with kind, inputs and parameters.",
    };

    internal static Uri JobUri(HttpRequest request, string id) => new($"{request.Scheme}://{request.Host}{request.PathBase}/{RoutePrefix}/{id}");

    internal static Uri CancelUri(HttpRequest request, string id) => new($"{JobUri(request, id)}/cancel");
}
