using NeuralArt.Contract;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// <c>POST /api/uploads</c>: hands a browser a short-lived link to create one new blob, so that
/// photos go straight to storage and never through a function or the orchestration history.
/// <code>{ "fileName": "cat.jpg", "contentType": "image/jpeg" }</code> gives
/// <code>{ "blob": "uploads/&lt;guid&gt;/cat.jpg", "uploadUrl": "…", "expiresOn": "…", "maxBytes": … }</code>
/// and the client PUTs the bytes to <c>uploadUrl</c> with <c>x-ms-blob-type: BlockBlob</c>.
/// With <c>"library": "styles"</c> the blob is a new image of that library, <c>styles/&lt;name&gt;.&lt;ext&gt;</c>.
/// The size limit is enforced when a job names the blob (the link itself cannot bound the size).
/// </summary>
public sealed class UploadsApi(IArtworkStore store, IInputInspector inputs, ILogger<UploadsApi> logger)
{
    public const string Route = "api/uploads";

    /// <summary>Long enough for a slow phone upload of a large photo, short enough to be useless later.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The request is two short strings.</summary>
    public const int MaxBodyBytes = 4 * 1024;

    public const int MaxFileNameLength = 100;


    private const string BlobTypeHeader = "x-ms-blob-type";
    private const string BlockBlob = "BlockBlob";

    private static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".webp"] = "image/webp",
        [".bmp"] = "image/bmp",
        [".gif"] = "image/gif",
        // Clips for the engines whose primary input is a video (the door probes the container before any work).
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".mov"] = "video/quicktime",
    };

    public async Task<IResult> CreateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        UploadRequest body;
        try
        {
            body = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (JobRejectedException e)
        {
            return ProblemResults.BadRequest(e.Field ?? "body", e.Message);
        }

        var extension = Path.GetExtension(body.FileName ?? string.Empty).ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(body.FileName))
        {
            return ProblemResults.BadRequest("fileName", "fileName is required: the name of the image file to upload.");
        }

        if (!ContentTypes.TryGetValue(extension, out var expectedType))
        {
            return ProblemResults.BadRequest("fileName", $"'{Truncate(body.FileName)}' is not an image or clip the engines read; use {string.Join(", ", ContentTypes.Keys)}.");
        }

        if (body.ContentType is { Length: > 0 } declared && !string.Equals(declared, expectedType, StringComparison.OrdinalIgnoreCase))
        {
            return ProblemResults.BadRequest("contentType", $"contentType '{Truncate(declared)}' does not match a {extension} file ({expectedType}).");
        }

        var stem = Slug(Path.GetFileNameWithoutExtension(body.FileName));
        BlobRef blob;
        if (body.Library is null)
        {
            blob = new BlobRef(StorageLayout.UploadsContainer, $"{Guid.NewGuid():N}/{stem}{extension}");
        }
        else if (StorageLayout.Libraries.TryGetValue(body.Library, out var container))
        {
            if (!StorageLayout.LibraryExtensions.Contains(extension))
            {
                return ProblemResults.BadRequest("fileName", $"A {body.Library} image must be one of {string.Join(", ", StorageLayout.LibraryExtensions)}.");
            }

            // A library image is named by its file name, so a second "starry-night" must not replace the first.
            if (await StorageLayout.ResolveLibraryAsync(store, body.Library, stem, cancellationToken).ConfigureAwait(false) is not null)
            {
                return ProblemResults.Create(StatusCodes.Status409Conflict, "Conflict", $"There is already an image named '{stem}' in the {body.Library} library; rename the file.", "fileName");
            }

            blob = new BlobRef(container, stem + extension);
        }
        else
        {
            return ProblemResults.BadRequest("library", $"library '{Truncate(body.Library)}' is unknown; the libraries are {string.Join(", ", StorageLayout.Libraries.Keys)}.");
        }

        var url = await store.GetUploadLinkAsync(blob, LinkLifetime, cancellationToken).ConfigureAwait(false);
        if (url is null)
        {
            return ProblemResults.Create(StatusCodes.Status503ServiceUnavailable, "Uploads unavailable", "The storage account cannot issue upload links right now.", null);
        }

        logger.LogInformation("Upload link issued for {Blob}.", blob);
        return Results.Json(new UploadTicket(
            blob.ToString(),
            url,
            DateTimeOffset.UtcNow.Add(LinkLifetime),
            inputs.MaxBytes,
            new Dictionary<string, string> { [BlobTypeHeader] = BlockBlob, ["content-type"] = expectedType }));
    }

    /// <summary>
    /// A safe blob file name: letters, digits, dot, dash and underscore; anything else becomes a dash.
    /// Keeps blob names readable in storage explorers and style names usable as bare names.
    /// </summary>
    public static string Slug(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, MaxFileNameLength));
        foreach (var c in name.Normalize(NormalizationForm.FormKC))
        {
            if (builder.Length == MaxFileNameLength)
            {
                break;
            }

            var safe = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? char.ToLowerInvariant(c) : '-';
            if (safe != '-' || (builder.Length > 0 && builder[^1] != '-'))
            {
                builder.Append(safe);
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "image" : slug;
    }

    private static string Truncate(string value) => value.Length <= MaxFileNameLength ? value : value[..MaxFileNameLength] + "…";

    private static Task<UploadRequest> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken) =>
        JsonBody.ReadAsync<UploadRequest>(request, BodyRules, JsonOptions, cancellationToken);

    private static readonly JsonBodyRules BodyRules = new(
        MaxBodyBytes,
        string.Create(CultureInfo.InvariantCulture, $"The request body is larger than {MaxBodyBytes} bytes."),
        "The request body is null; send a JSON object with fileName.",
        _ => "The request body is not a valid upload request: send {\"fileName\": \"cat.jpg\", \"contentType\": \"image/jpeg\"}.");

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public sealed record UploadRequest
    {
        [JsonPropertyName("fileName")] public string? FileName { get; init; }
        [JsonPropertyName("contentType")] public string? ContentType { get; init; }
        [JsonPropertyName("library")] public string? Library { get; init; }
    }

    /// <summary>The answer: where the blob will be, how to put it there, until when, and the size a job accepts.</summary>
    public sealed record UploadTicket(
        [property: JsonPropertyName("blob")] string Blob,
        [property: JsonPropertyName("uploadUrl")] Uri UploadUrl,
        [property: JsonPropertyName("expiresOn")] DateTimeOffset ExpiresOn,
        [property: JsonPropertyName("maxBytes")] long MaxBytes,
        [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers);
}
