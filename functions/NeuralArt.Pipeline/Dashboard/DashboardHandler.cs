using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Dashboard;

/// <summary>
/// Serves the dashboard (plain HTML, CSS and ES modules embedded in this assembly) for both hosts:
/// the local host maps it at <c>/</c>, the Functions app at <c>/api/dashboard/</c>. The page holds no
/// key: it reads one from the URL fragment, which browsers never send. Every file is revalidated
/// (ETag) so that a new build shows at once; a Content-Security-Policy lets the page talk only to
/// this origin and to the storage account's blob endpoint (SAS uploads, previews, results).
/// </summary>
public sealed class DashboardHandler
{
    /// <summary>Prefix of the embedded resources' logical names (see the Pipeline project file).</summary>
    public const string ResourcePrefix = "dashboard/";

    public const string IndexFile = "index.html";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".json"] = "application/json; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(LoadAssets);

    private readonly string contentSecurityPolicy;

    /// <summary>Without a blob store (tests of the handler alone): the page may talk to this origin only.</summary>
    public DashboardHandler()
        : this((Uri?)null)
    {
    }

    /// <summary>The page may also talk to the store's blob endpoint, where SAS links point.</summary>
    public DashboardHandler(BlobArtworkStore store)
        : this(store.BlobEndpoint)
    {
    }

    private DashboardHandler(Uri? storage)
    {
        var blobOrigin = storage is null ? string.Empty : " " + StorageCors.Origin(storage.ToString());
        contentSecurityPolicy =
            "default-src 'none'; script-src 'self'; style-src 'self'; " +
            $"img-src 'self' blob: data:{blobOrigin}; media-src 'self'{blobOrigin}; connect-src 'self'{blobOrigin}; " +
            "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
    }

    /// <summary>The files the page is made of (for tests and for the page weight).</summary>
    public static IReadOnlyCollection<string> Files => Assets.Value.Keys;

    /// <summary>Total bytes of the page's files, uncompressed.</summary>
    public static long TotalBytes => Assets.Value.Values.Sum(a => (long)a.Content.Length);

    /// <summary>
    /// The file at <paramref name="path"/> (relative to the dashboard's root; empty for the page itself).
    /// A root requested without its trailing slash is redirected, so that relative asset links resolve.
    /// </summary>
    public IResult Serve(HttpRequest request, string? path)
    {
        var relative = (path ?? string.Empty).TrimStart('/');
        if (relative.Length == 0 && !request.Path.Value!.EndsWith('/'))
        {
            return Results.Redirect($"{request.PathBase}{request.Path}/{request.QueryString}", permanent: false);
        }

        var name = relative.Length == 0 ? IndexFile : relative;
        return Assets.Value.TryGetValue(name, out var asset)
            ? new AssetResult(asset, contentSecurityPolicy)
            : Results.NotFound();
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(DashboardHandler).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var logical = resource.Replace('\\', '/');
            if (!logical.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = logical[ResourcePrefix.Length..];
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream");
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12))}\"";
            assets[name] = new Asset(content, type, etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    private sealed class AssetResult(Asset asset, string contentSecurityPolicy) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var headers = response.Headers;
            headers.ETag = asset.ETag;
            // Revalidate every time: the files are small and a new build must show at once.
            headers.CacheControl = "no-cache";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = contentSecurityPolicy;
            if (httpContext.Request.Headers.IfNoneMatch.Any(value => value is not null && value.Split(',').Any(tag => tag.Trim() == asset.ETag)))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = asset.ContentType;
            response.ContentLength = asset.Content.Length;
            if (!HttpMethods.IsHead(httpContext.Request.Method))
            {
                await response.Body.WriteAsync(asset.Content, httpContext.RequestAborted).ConfigureAwait(false);
            }
        }
    }
}
