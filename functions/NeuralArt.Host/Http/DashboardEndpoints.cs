using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NeuralArt.Pipeline.Dashboard;
using NeuralArt.Pipeline.Http;

namespace NeuralArt.Host.Http;

/// <summary>
/// The dashboard at <c>/</c> (its files under <c>/assets/</c>) and the API calls only it needs:
/// upload links and the style library. Same handlers as the Functions app's.
/// </summary>
public static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder routes)
    {
        // The page and its files carry no key and need none (the key middleware guards /api only).
        routes.MapGet("/", (HttpRequest request, DashboardHandler dashboard) => dashboard.Serve(request, null));
        routes.MapGet("/assets/{*path}", (HttpRequest request, string path, DashboardHandler dashboard) => dashboard.Serve(request, $"assets/{path}"));
        routes.MapPost($"/{UploadsApi.Route}", (HttpRequest request, UploadsApi uploads, CancellationToken ct) => uploads.CreateAsync(request, ct));
        routes.MapGet($"/{StylesApi.Route}", (StylesApi styles, CancellationToken ct) => styles.ListAsync(ct));
        return routes;
    }
}
