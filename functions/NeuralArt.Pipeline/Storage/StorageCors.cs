using Azure.Storage.Blobs.Models;

namespace NeuralArt.Pipeline.Storage;

/// <summary>
/// The blob service CORS rule the dashboard needs on the data account: the page's origin may PUT a
/// new blob through an upload SAS and GET/HEAD blobs through read SAS links (previews, results, job.json
/// for the parameters table and downloads). The local host sets it on Azurite; in Azure the infra must.
/// </summary>
public static class StorageCors
{
    public const string AllowedMethods = "GET,HEAD,PUT,OPTIONS";

    /// <summary>Put Blob needs x-ms-blob-type; the content type travels as Content-Type.</summary>
    public const string AllowedHeaders = "content-type,x-ms-blob-type,x-ms-blob-content-type,x-ms-version,x-ms-client-request-id";

    public const string ExposedHeaders = "etag,content-length,content-type,last-modified,x-ms-request-id";

    /// <summary>Browsers may cache the preflight answer this long.</summary>
    public const int MaxAgeInSeconds = 3600;

    public static BlobCorsRule RuleFor(string origin) => new()
    {
        AllowedOrigins = Origin(origin),
        AllowedMethods = AllowedMethods,
        AllowedHeaders = AllowedHeaders,
        ExposedHeaders = ExposedHeaders,
        MaxAgeInSeconds = MaxAgeInSeconds,
    };

    /// <summary>True when <paramref name="rule"/> already lets <paramref name="origin"/> (or every origin) in.</summary>
    public static bool Names(BlobCorsRule rule, string origin) =>
        rule.AllowedOrigins.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(allowed => allowed == "*" || string.Equals(allowed, Origin(origin), StringComparison.OrdinalIgnoreCase));

    /// <summary>A browser's Origin header: scheme, host and port, no path or trailing slash.</summary>
    public static string Origin(string url)
    {
        var uri = new Uri(url);
        return uri.GetLeftPart(UriPartial.Authority);
    }
}
