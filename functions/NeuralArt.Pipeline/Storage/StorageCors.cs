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

    /// <summary>The same rule as infra/modules/storage.bicep's (the page reads bodies only; content-type and -length are safelisted).</summary>
    public const string ExposedHeaders = "etag,x-ms-request-id";

    /// <summary>Browsers may cache the preflight answer this long.</summary>
    public const int MaxAgeInSeconds = 3600;

    /// <summary>Origins kept in the managed rule (a service allows few rules, each with a bounded origin list).</summary>
    public const int MaxOrigins = 32;

    /// <summary>Read-modify-write rounds before giving up when concurrent writers keep undoing each other.</summary>
    public const int MaxUpdateAttempts = 5;

    public static BlobCorsRule RuleFor(string origin) => RuleFor([Origin(origin)]);

    public static BlobCorsRule RuleFor(IReadOnlyCollection<string> origins) => new()
    {
        AllowedOrigins = string.Join(',', origins),
        AllowedMethods = AllowedMethods,
        AllowedHeaders = AllowedHeaders,
        ExposedHeaders = ExposedHeaders,
        MaxAgeInSeconds = MaxAgeInSeconds,
    };

    /// <summary>A rule this code wrote: the dashboard's methods and headers exactly.</summary>
    public static bool IsManaged(BlobCorsRule rule) =>
        SameList(rule.AllowedMethods, AllowedMethods) && SameList(rule.AllowedHeaders, AllowedHeaders) && SameList(rule.ExposedHeaders, ExposedHeaders);

    /// <summary>Comma lists equal as sets, whatever the case, spacing or order the service gives them back in.</summary>
    private static bool SameList(string? actual, string expected) =>
        (actual ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase)
            .SetEquals(expected.Split(','));

    public static IReadOnlyList<string> Origins(BlobCorsRule rule) =>
        rule.AllowedOrigins.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True when <paramref name="rule"/> already lets <paramref name="origin"/> (or every origin) in.</summary>
    public static bool Names(BlobCorsRule rule, string origin) =>
        Origins(rule).Any(allowed => allowed == "*" || string.Equals(allowed, Origin(origin), StringComparison.OrdinalIgnoreCase));

    /// <summary>A browser's Origin header: scheme, host and port, no path or trailing slash.</summary>
    public static string Origin(string url)
    {
        var uri = new Uri(url);
        return uri.GetLeftPart(UriPartial.Authority);
    }
}
