using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Sweeps;

namespace NeuralArt.Functions.Functions;

/// <summary>Sweeps: the orchestrator, the sheet activity and the HTTP routes, each delegating to the Pipeline's class.</summary>
public sealed class SweepFunctions(SweepsApi api, SweepSheetActivity sheet)
{
    private const string Sweeps = "sweeps";

    [Function(SweepOrchestration.Name)]
    public static Task<SweepOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new SweepOrchestration().RunAsync(context, context.GetInput<SweepRequest>()
            ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} has no sweep request."));

    [Function(SweepSheetActivity.Name)]
    public Task<SweepOutcome> DrawSheetAsync([ActivityTrigger] SweepSheetInput input, CancellationToken cancellationToken) =>
        sheet.ExecuteAsync(input, cancellationToken);

    [Function("SubmitSweep")]
    public async Task<IActionResult> SubmitAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Sweeps)] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.SubmitAsync(request, new DurableTaskJobClient(client), cancellationToken));

    [Function("GetSweep")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Sweeps + "/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.GetAsync(request, id, new DurableTaskJobClient(client), cancellationToken));

    [Function("CancelSweep")]
    public async Task<IActionResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Sweeps + "/{id}/cancel")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.CancelAsync(request, id, new DurableTaskJobClient(client), cancellationToken));

    [Function("DeleteSweep")]
    public async Task<IActionResult> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = Sweeps + "/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        new HandlerResult(await api.DeleteAsync(id, new DurableTaskJobClient(client), cancellationToken));
}
