using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// <c>GET /api/styles</c>: the style library (images in <c>styles/</c>), each with the bare name a
/// job's style input takes and a short-lived read link for the picker's thumbnail.
/// <code>{ "styles": [ { "name": "starry-night", "blob": "styles/starry-night.jpg", "url": "…" } ] }</code>
/// </summary>
public sealed class StylesApi(IArtworkStore store, IOptions<PipelineOptions> options)
{
    public const string Route = "api/styles";

    /// <summary>A picker, not a catalogue: past this many the rest are left out.</summary>
    public const int MaxStyles = 200;

    public async Task<IResult> ListAsync(CancellationToken cancellationToken)
    {
        // Only what a bare name resolves to: top-level images with a known extension; where one name has
        // several, the extension StorageLayout.ResolveLibraryAsync tries first.
        var found = new Dictionary<string, BlobInfo>(StringComparer.Ordinal);
        await foreach (var info in store.ListAsync(StorageLayout.StylesContainer, string.Empty, cancellationToken).ConfigureAwait(false))
        {
            var name = info.Blob.Name;
            var extension = Path.GetExtension(name).ToLowerInvariant();
            var rank = IndexOf(extension);
            var styleName = name[..^extension.Length];
            if (name.Contains('/') || rank < 0 || styleName.Length == 0)
            {
                continue;
            }

            if (!found.TryGetValue(styleName, out var other) || rank < IndexOf(Path.GetExtension(other.Blob.Name).ToLowerInvariant()))
            {
                found[styleName] = info;
            }
        }

        var styles = new List<StyleEntry>();
        foreach (var (styleName, info) in found.OrderBy(p => p.Key, StringComparer.Ordinal).Take(MaxStyles))
        {
            var url = await store.GetReadLinkAsync(info.Blob, options.Value.ResultLinkLifetime, cancellationToken).ConfigureAwait(false);
            styles.Add(new StyleEntry(styleName, info.Blob.ToString(), url, info.Size));
        }

        return Results.Json(new StyleList(styles));
    }

    private static int IndexOf(string extension)
    {
        for (var i = 0; i < StorageLayout.LibraryExtensions.Count; i++)
        {
            if (StorageLayout.LibraryExtensions[i] == extension)
            {
                return i;
            }
        }

        return -1;
    }

    public sealed record StyleEntry(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("blob")] string Blob,
        [property: JsonPropertyName("url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Uri? Url,
        [property: JsonPropertyName("size")] long Size);

    public sealed record StyleList([property: JsonPropertyName("styles")] IReadOnlyList<StyleEntry> Styles);
}
