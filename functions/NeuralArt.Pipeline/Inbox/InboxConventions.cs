using NeuralArt.Contract;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Inbox;

/// <summary>
/// What a blob in the inbox container means, read from the engines' descriptors (no kind is named
/// here): <c>&lt;kind&gt;/&lt;file&gt;</c> starts a job of that kind with the file as its source; an
/// engine whose descriptor has required library inputs (style images) takes one folder per such role,
/// in order: <c>&lt;kind&gt;/&lt;library-image&gt;/&lt;file&gt;</c>. A <c>&lt;file&gt;.json</c> beside an image is its
/// sidecar (parameters, read when the job is submitted: upload it first), whose member <c>inputs</c>
/// names further inputs by role, for example <c>{"inputs":{"&lt;role&gt;":["uploads/m.png"]}}</c>.
/// </summary>
public static class InboxConventions
{
    public const string SidecarSuffix = ".json";

    /// <summary>The sidecar member that names further inputs by role (masks, a guide): not a parameter.</summary>
    public const string SidecarInputsMember = "inputs";

    /// <summary>Parses an inbox blob name; null (with the reason) when it does not start a job.</summary>
    public static InboxEntry? Parse(string blobName, IReadOnlyList<EngineDescriptor> engines, out string? ignoredBecause)
    {
        ignoredBecause = null;
        if (!StorageLayout.IsValidBlobName(blobName))
        {
            ignoredBecause = "the name is not one the pipeline accepts (empty or dot segments, control characters, or over 1024 characters)";
            return null;
        }

        var parts = blobName.Split('/');
        var file = parts[^1];
        if (file.EndsWith(SidecarSuffix, StringComparison.OrdinalIgnoreCase))
        {
            ignoredBecause = "a sidecar is read by its image's job";
            return null;
        }

        if (file.StartsWith('.'))
        {
            ignoredBecause = "hidden file names are ignored";
            return null;
        }

        var engine = engines.FirstOrDefault(e => string.Equals(e.Kind, parts[0], StringComparison.Ordinal));
        if (engine is null)
        {
            ignoredBecause = $"inbox blobs go in <kind>/..., kind one of {string.Join(", ", engines.Select(e => e.Kind))}";
            return null;
        }

        var folderRoles = FolderRoles(engine);
        if (parts.Length != folderRoles.Count + 2)
        {
            ignoredBecause = $"{engine.Kind} jobs go in {Layout(engine)}";
            return null;
        }

        var inputs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            [engine.PrimaryRole] = [$"{StorageLayout.InboxContainer}/{blobName}"],
        };
        for (var i = 0; i < folderRoles.Count; i++)
        {
            inputs[folderRoles[i].Role] = [parts[i + 1]];
        }

        return new InboxEntry(engine.Kind, blobName, inputs, engine.PrimaryRole);
    }

    /// <summary>The roles an inbox path names by folder: required inputs that come from a library.</summary>
    public static IReadOnlyList<InputRoleDescriptor> FolderRoles(EngineDescriptor engine) =>
        engine.Inputs.Where(r => r.Role != engine.PrimaryRole && r.Min >= 1 && r.Library is not null).ToList();

    /// <summary>Where a kind's uploads go, for messages and docs: <c>style/&lt;style&gt;/&lt;file&gt;</c>.</summary>
    public static string Layout(EngineDescriptor engine) =>
        string.Join("/", new[] { engine.Kind }.Concat(FolderRoles(engine).Select(r => $"<{r.Role}>")).Append("<file>"));

    public static BlobRef Sidecar(InboxEntry entry) => new(StorageLayout.InboxContainer, entry.BlobName + SidecarSuffix);
}
