using NeuralArt.Engine.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Inbox;

/// <summary>
/// What a blob in the inbox container means:
/// <c>dream/&lt;file&gt;</c> is a DeepDream with defaults, <c>style/&lt;style&gt;/&lt;file&gt;</c> a style
/// transfer with <c>styles/&lt;style&gt;.&lt;ext&gt;</c>, and <c>&lt;file&gt;.json</c> beside an image is its
/// sidecar (parameter overrides, read when the job starts: upload it first).
/// </summary>
public static class InboxConventions
{
    public const string DreamFolder = "dream";
    public const string StyleFolder = "style";
    public const string SidecarSuffix = ".json";

    /// <summary>Style image extensions looked for under <c>styles/</c>, in order.</summary>
    public static IReadOnlyList<string> StyleExtensions { get; } = [".jpg", ".jpeg", ".png", ".webp", ".bmp"];

    /// <summary>Parses an inbox blob name; null (with the reason) when it does not start a job.</summary>
    public static InboxEntry? Parse(string blobName, out string? ignoredBecause)
    {
        ignoredBecause = null;
        var parts = blobName.Split('/');
        var file = parts[^1];
        if (file.EndsWith(SidecarSuffix, StringComparison.OrdinalIgnoreCase))
        {
            ignoredBecause = "a sidecar is read by its image's job";
            return null;
        }

        if (file.StartsWith('.') || file.Length == 0)
        {
            ignoredBecause = "hidden or empty file names are ignored";
            return null;
        }

        if (parts is [DreamFolder, _])
        {
            return new InboxEntry(ArtworkKinds.Dream, blobName, StyleName: null);
        }

        if (parts is [StyleFolder, var style, _] && style.Length > 0)
        {
            return new InboxEntry(ArtworkKinds.Style, blobName, style);
        }

        ignoredBecause = $"inbox blobs go in {DreamFolder}/<file> or {StyleFolder}/<style-name>/<file>";
        return null;
    }

    public static BlobRef Source(InboxEntry entry) => new(StorageLayout.InboxContainer, entry.BlobName);

    public static BlobRef Sidecar(InboxEntry entry) => new(StorageLayout.InboxContainer, entry.BlobName + SidecarSuffix);

    /// <summary>
    /// The style image for a style name: the first <c>styles/&lt;name&gt;.&lt;ext&gt;</c> that exists, else
    /// <c>styles/&lt;name&gt;</c> (which then fails the job with a readable reason when it is read).
    /// </summary>
    public static async Task<BlobRef> ResolveStyleAsync(IArtworkStore store, string styleName, CancellationToken cancellationToken)
    {
        foreach (var extension in StyleExtensions)
        {
            var candidate = new BlobRef(StorageLayout.StylesContainer, styleName + extension);
            if (await store.GetInfoAsync(candidate, cancellationToken).ConfigureAwait(false) is not null)
            {
                return candidate;
            }
        }

        return new BlobRef(StorageLayout.StylesContainer, styleName);
    }
}

public sealed record InboxEntry(string Kind, string BlobName, string? StyleName);
