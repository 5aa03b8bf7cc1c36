using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Http;

namespace NeuralArt.Host.Http;

/// <summary>The same routes as the Functions app, served by the Pipeline's <see cref="JobsApi"/>.</summary>
public static class JobsEndpoints
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"/{JobsApi.RoutePrefix}", (HttpRequest request, JobsApi api, IJobClient client, CancellationToken ct) => api.SubmitAsync(request, client, ct));
        routes.MapGet($"/{JobsApi.RoutePrefix}", (HttpRequest request, JobsApi api, IJobClient client, CancellationToken ct) => api.ListAsync(request, client, ct));
        routes.MapGet($"/{JobsApi.RoutePrefix}/{{id}}", (HttpRequest request, string id, JobsApi api, IJobClient client, CancellationToken ct) => api.GetAsync(request, id, client, ct));
        routes.MapPost($"/{JobsApi.RoutePrefix}/{{id}}/cancel", (HttpRequest request, string id, JobsApi api, IJobClient client, CancellationToken ct) => api.CancelAsync(request, id, client, ct));
        routes.MapDelete($"/{JobsApi.RoutePrefix}/{{id}}", (string id, JobsApi api, IJobClient client, CancellationToken ct) => api.DeleteAsync(id, client, ct));
        routes.MapGet($"/{JobsApi.EnginesRoute}", (JobsApi api) => api.Engines());
        routes.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        return routes;
    }
}
