using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuralArt.Pipeline.Dashboard;
using NeuralArt.Pipeline.Http;

namespace NeuralArt.Functions.Functions;

/// <summary>
/// The dashboard (at <c>/api/dashboard/</c>: the page needs no key, it carries none) and the API
/// calls only the dashboard needs (function keys): upload links and the style library. The same
/// handlers as the local host's.
/// </summary>
public sealed class DashboardFunctions(DashboardHandler dashboard, UploadsApi uploads, StylesApi styles)
{
    public const string DashboardRoute = "dashboard/{*path}";

    [Function("Dashboard")]
    public IActionResult Dashboard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = DashboardRoute)] HttpRequest request,
        string? path) =>
        new HandlerResult(dashboard.Serve(request, path));

    [Function("CreateUpload")]
    public async Task<IActionResult> CreateUploadAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "uploads")] HttpRequest request,
        CancellationToken cancellationToken) =>
        new HandlerResult(await uploads.CreateAsync(request, cancellationToken));

    [Function("ListStyles")]
    public async Task<IActionResult> ListStylesAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "styles")] HttpRequest request,
        CancellationToken cancellationToken) =>
        new HandlerResult(await styles.ListAsync(cancellationToken));
}
