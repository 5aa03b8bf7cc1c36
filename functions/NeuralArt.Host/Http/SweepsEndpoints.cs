using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Sweeps;

namespace NeuralArt.Host.Http;

/// <summary>The sweeps routes, as the Functions app serves them, by the Pipeline's <see cref="SweepsApi"/>.</summary>
public static class SweepsEndpoints
{
    public static IEndpointRouteBuilder MapSweepsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"/{SweepsApi.RoutePrefix}", (HttpRequest request, SweepsApi api, IJobClient client, CancellationToken ct) => api.SubmitAsync(request, client, ct));
        routes.MapGet($"/{SweepsApi.RoutePrefix}/{{id}}", (HttpRequest request, string id, SweepsApi api, IJobClient client, CancellationToken ct) => api.GetAsync(request, id, client, ct));
        routes.MapPost($"/{SweepsApi.RoutePrefix}/{{id}}/cancel", (HttpRequest request, string id, SweepsApi api, IJobClient client, CancellationToken ct) => api.CancelAsync(request, id, client, ct));
        routes.MapDelete($"/{SweepsApi.RoutePrefix}/{{id}}", (string id, SweepsApi api, IJobClient client, CancellationToken ct) => api.DeleteAsync(id, client, ct));
        return routes;
    }
}
