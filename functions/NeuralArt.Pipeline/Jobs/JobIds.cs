using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>
/// Job (orchestration instance) IDs: <c>{kind}-{name}-{hash}</c>, lower case, URL- and blob-safe.
/// For inbox blobs the hash covers the blob's name and ETag, so a duplicate event for the same
/// upload maps to the same job (started once) while a re-upload (new ETag) is a new job.
/// </summary>
public static partial class JobIds
{
    private const int SlugMaxLength = 32;
    private const int HashHexLength = 16;

    public static string ForInboxBlob(string kind, string blobName, string etag)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{blobName}\n{NormalizeETag(etag)}")))[..HashHexLength];
        return $"{kind}-{Slug(blobName)}-{hash}";
    }

    public static string ForSubmission(string kind, string sourceName, Guid unique) =>
        $"{kind}-{Slug(sourceName)}-{unique.ToString("N")[..HashHexLength]}";

    /// <summary>A sweep's ID: <c>sweep-{kind}-{name}-{hash}</c>; its cells are <c>{kind}-{name}-{hash}-c{index}</c>.</summary>
    public static string ForSweep(string kind, string sourceName, Guid unique) => SweepPrefix + ForSubmission(kind, sourceName, unique);

    /// <summary>The job ID of a sweep's cell (an ordinary job ID, so the jobs API serves it).</summary>
    public static string ForSweepCell(string sweepId, int index) =>
        $"{sweepId[SweepPrefix.Length..]}-c{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    public const string SweepPrefix = "sweep-";

    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>The file name without extension, reduced to <c>[a-z0-9-]</c>.</summary>
    private static string Slug(string blobName)
    {
        var file = Path.GetFileNameWithoutExtension(blobName[(blobName.LastIndexOf('/') + 1)..]).ToLowerInvariant();
        var slug = NonSlugRun().Replace(file, "-").Trim('-');
        if (slug.Length > SlugMaxLength)
        {
            slug = slug[..SlugMaxLength].TrimEnd('-');
        }

        return slug.Length == 0 ? "image" : slug;
    }

    /// <summary>Blob triggers and listings may report the ETag with or without quotes.</summary>
    private static string NormalizeETag(string etag) => etag.Trim('"');

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonSlugRun();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
