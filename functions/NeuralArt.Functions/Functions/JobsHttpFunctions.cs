using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Http;

namespace NeuralArt.Functions.Functions;

/// <summary>The HTTP API (function-level keys), served by the Pipeline's <see cref="JobsApi"/> like the local host's.</summary>
public sealed class JobsHttpFunctions(JobsApi api)
{
    private const string Jobs = "jobs";

    [Function("SubmitJob")]
    public async Task<IActionResult> SubmitAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Jobs)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.SubmitAsync(request, new DurableTaskJobClient(client), cancellationToken));

    [Function("GetJob")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Jobs + "/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.GetAsync(request, id, new DurableTaskJobClient(client), cancellationToken));

    [Function("ListJobs")]
    public async Task<IActionResult> ListAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Jobs)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.ListAsync(request, new DurableTaskJobClient(client), cancellationToken));

    [Function("CancelJob")]
    public async Task<IActionResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Jobs + "/{id}/cancel")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.CancelAsync(request, id, new DurableTaskJobClient(client), cancellationToken));

    [Function("DeleteJob")]
    public async Task<IActionResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = Jobs + "/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.DeleteAsync(id, new DurableTaskJobClient(client), cancellationToken));

    [Function("ListEngines")]
    public IActionResult Engines(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "engines")] HttpRequest request) =>
        new HandlerResult(api.Engines());
}
