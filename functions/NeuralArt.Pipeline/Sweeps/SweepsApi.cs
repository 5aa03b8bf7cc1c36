using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>
/// The sweeps API, written once for both hosts (like <see cref="JobsApi"/>, whose job views and
/// cancel/purge steps it uses for the cells):
/// <list type="bullet">
/// <item><c>POST /api/sweeps</c>: checked at <see cref="SweepDoor"/>, started: 202 with the cells' job IDs; 400/413 naming the axis or field. Never 429: cells wait for slots.</item>
/// <item><c>GET /api/sweeps/{id}</c>: axes, each cell's job (status, progress, preview, result), the sheet when drawn: 202 while it runs, 200 once it ended.</item>
/// <item><c>POST /api/sweeps/{id}/cancel</c>: cancels the sweep and every cell still running.</item>
/// <item><c>DELETE /api/sweeps/{id}</c>: purges an ended sweep and every cell (outputs, checkpoints, history): 204.</item>
/// </list>
/// </summary>
public sealed class SweepsApi(
    SweepDoor door,
    JobsApi jobs,
    IArtworkStore store,
    IOptions<PipelineOptions> options,
    ILogger<SweepsApi> logger)
{
    public const string RoutePrefix = "api/sweeps";

    private static readonly JsonBodyRules BodyRules = new(
        JobsApi.MaxBodyBytes,
        $"The request body is larger than {JobsApi.MaxBodyBytes:N0} bytes.",
        "The request body is null; send a JSON object.",
        e => $"The request body is not a valid sweep: {e.Message}")
    {
        Empty = "The request body is empty; send a JSON object with kind, inputs, parameters and axes.",
    };

    private static readonly JsonSerializerOptions StatusJson = new() { PropertyNameCaseInsensitive = true };

    public async Task<IResult> SubmitAsync(HttpRequest request, IJobClient client, CancellationToken cancellationToken)
    {
        SweepRequest sweep;
        string sweepId;
        try
        {
            var body = await JsonBody.ReadAsync<SweepSubmission>(request, BodyRules, SweepSubmission.JsonOptions, cancellationToken).ConfigureAwait(false);
            var order = JobsApi.ToOrder(body.Kind, body.Inputs, body.Parameters, body.ChunkTimeBudgetSeconds);
            var source = order.Inputs.TryGetValue(NeuralArt.Contract.EngineDescriptor.SourceRole, out var sources) && sources.Count > 0 ? sources[0] : "image";
            sweepId = JobIds.ForSweep(order.Kind?.Trim() ?? "", source, Guid.NewGuid());
            sweep = await door.CheckAsync(order, body.Axes, sweepId, cancellationToken).ConfigureAwait(false);
        }
        catch (JobRejectedException e)
        {
            logger.LogInformation("Sweep refused ({Status}, {Field}): {Reason}", e.Status, e.Field, e.Message);
            return ProblemResults.Rejected(e);
        }

        await client.StartSweepAsync(sweepId, sweep, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sweep {SweepId} ({Kind}, {Cells} cells) started.", sweepId, sweep.Kind, sweep.Cells.Count);
        request.HttpContext.Response.Headers.RetryAfter = JobsApi.RetryAfterText(JobsApi.PollInterval);
        var self = SweepUri(request, sweepId);
        var cells = sweep.Cells.Select(c => new SweepCellView(c.Index, c.JobId, Values(sweep, c), JobViews.StatusName(JobRuntimeStatus.Pending), null, null, null, null)).ToList();
        return Results.Accepted(self.ToString(), new SweepAccepted(sweepId, self, CancelUri(request, sweepId), sweep.Axes, cells, sweep.Cost));
    }

    public async Task<IResult> GetAsync(HttpRequest request, string id, IJobClient client, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, client, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return NoSuchSweep;
        }

        var (instance, sweep) = found;
        var cells = new List<SweepCellView>(sweep.Cells.Count);
        foreach (var cell in sweep.Cells)
        {
            var values = Values(sweep, cell);
            if (await client.GetAsync(cell.JobId, cancellationToken).ConfigureAwait(false) is not { } job)
            {
                // Not scheduled yet (the sweep starts its cells on its first turn).
                cells.Add(new SweepCellView(cell.Index, cell.JobId, values, JobViews.StatusName(JobRuntimeStatus.Pending), null, null, null, null));
                continue;
            }

            var view = await jobs.ViewAsync(request, job, withLinks: true, cancellationToken).ConfigureAwait(false);
            cells.Add(new SweepCellView(cell.Index, cell.JobId, values, view.Status, view.Progress, view.Preview, view.Result, view.Error));
        }

        var outcome = instance.Status == JobRuntimeStatus.Completed ? Deserialize<SweepOutcome>(instance.SerializedOutput) : null;
        var result = new SweepView
        {
            Id = id,
            Kind = sweep.Kind,
            Status = JobViews.StatusName(instance.Status),
            Progress = Deserialize<SweepStatus>(instance.SerializedCustomStatus),
            CreatedAt = instance.CreatedAt,
            LastUpdatedAt = instance.LastUpdatedAt,
            Axes = sweep.Axes,
            Cost = sweep.Cost,
            Cells = cells,
            Sheet = outcome?.Sheet is { } sheet ? await LinkAsync(sheet, cancellationToken).ConfigureAwait(false) : null,
            Layout = outcome?.Layout is { } layout ? await LinkAsync(layout, cancellationToken).ConfigureAwait(false) : null,
            Error = instance.Status == JobRuntimeStatus.Failed ? instance.FailureMessage ?? "The sweep failed." : null,
            Links = new JobLinks(SweepUri(request, id), CancelUri(request, id)),
        };

        if (instance.Status is JobRuntimeStatus.Pending or JobRuntimeStatus.Running)
        {
            request.HttpContext.Response.Headers.RetryAfter = JobsApi.RetryAfterText(JobsApi.PollInterval);
            return Results.Json(result, statusCode: StatusCodes.Status202Accepted);
        }

        return Results.Json(result);
    }

    /// <summary>Cancels the sweep and every cell that has not ended; 409 when the sweep has ended.</summary>
    public async Task<IResult> CancelAsync(HttpRequest request, string id, IJobClient client, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, client, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return NoSuchSweep;
        }

        var (instance, sweep) = found;
        if (instance.Status is JobRuntimeStatus.Completed or JobRuntimeStatus.Failed or JobRuntimeStatus.Cancelled)
        {
            return ProblemResults.Conflict($"Sweep '{id}' has already ended ({JobViews.StatusName(instance.Status)}).");
        }

        // The sweep first, so that it starts nothing more; then each cell (a terminated parent does not end its children).
        await client.CancelAsync(id, "Cancelled through the HTTP API.", cancellationToken).ConfigureAwait(false);
        foreach (var cell in sweep.Cells)
        {
            if (await client.GetAsync(cell.JobId, cancellationToken).ConfigureAwait(false) is { Status: JobRuntimeStatus.Pending or JobRuntimeStatus.Running })
            {
                await jobs.TerminateAsync(cell.JobId, client, cancellationToken).ConfigureAwait(false);
            }
        }

        logger.LogInformation("Sweep {SweepId} cancelled.", id);
        return Results.Accepted(SweepUri(request, id).ToString());
    }

    /// <summary>Purges an ended sweep: every cell (outputs, checkpoints, history) and the sheet; 409 while the sweep or a cell runs.</summary>
    public async Task<IResult> DeleteAsync(string id, IJobClient client, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, client, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return NoSuchSweep;
        }

        var (instance, sweep) = found;
        if (instance.Status is JobRuntimeStatus.Pending or JobRuntimeStatus.Running)
        {
            return ProblemResults.Conflict($"Sweep '{id}' is still {JobViews.StatusName(instance.Status)}; cancel it first.");
        }

        var cells = new List<string>(sweep.Cells.Count);
        foreach (var cell in sweep.Cells)
        {
            var job = await client.GetAsync(cell.JobId, cancellationToken).ConfigureAwait(false);
            if (job is { Status: JobRuntimeStatus.Pending or JobRuntimeStatus.Running })
            {
                return ProblemResults.Conflict($"Cell '{cell.JobId}' of sweep '{id}' is still {JobViews.StatusName(job.Status)}; cancel the sweep first.");
            }

            if (job is not null) cells.Add(cell.JobId);
        }

        foreach (var cell in cells)
        {
            await jobs.PurgeAsync(cell, client, cancellationToken).ConfigureAwait(false);
        }

        await jobs.PurgeAsync(id, client, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sweep {SweepId} and its {Cells} cells purged.", id, cells.Count);
        return Results.NoContent();
    }

    /// <summary>The sweep under <paramref name="id"/> with its request, or null (a job's ID, an unknown or malformed one).</summary>
    private static async Task<(JobInstance Instance, SweepRequest Sweep)?> FindAsync(string id, IJobClient client, CancellationToken cancellationToken)
    {
        if (!id.StartsWith(JobIds.SweepPrefix, StringComparison.Ordinal) || !JobIds.IsValid(id)) return null;
        var instance = await client.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (instance is null || instance.Name is { } name && name != SweepOrchestration.Name) return null;
        return Deserialize<SweepRequest>(instance.SerializedInput) is { } sweep ? (instance, sweep) : null;
    }

    private static IResult NoSuchSweep => ProblemResults.NotFound("There is no such sweep.");

    private static IReadOnlyDictionary<string, string> Values(SweepRequest sweep, SweepCell cell) => cell.Values(sweep.Axes);

    private async Task<BlobLink> LinkAsync(BlobRef blob, CancellationToken cancellationToken) =>
        new(blob.ToString(), await store.GetReadLinkAsync(blob, options.Value.ResultLinkLifetime, cancellationToken).ConfigureAwait(false));

    private static T? Deserialize<T>(string? json) where T : class
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(json, StatusJson);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    internal static Uri SweepUri(HttpRequest request, string id) => new($"{request.Scheme}://{request.Host}{request.PathBase}/{RoutePrefix}/{id}");

    internal static Uri CancelUri(HttpRequest request, string id) => new($"{SweepUri(request, id)}/cancel");
}
