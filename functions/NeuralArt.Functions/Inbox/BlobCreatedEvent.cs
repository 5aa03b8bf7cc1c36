using System.Text.Json;

namespace NeuralArt.Functions.Inbox;

/// <summary>
/// Reads the blob name out of a <c>Microsoft.Storage.BlobCreated</c> event as Event Grid puts it on
/// a storage queue: one event per message, in the Event Grid schema (<c>eventType</c>) or the
/// CloudEvents schema (<c>type</c>); both carry the subject
/// <c>/blobServices/default/containers/&lt;container&gt;/blobs/&lt;blob name&gt;</c>.
/// The subject rather than <c>data.url</c>: the URL is percent-encoded, the subject holds the name as stored.
/// </summary>
public static class BlobCreatedEvent
{
    public const string EventType = "Microsoft.Storage.BlobCreated";

    private const string SubjectContainersPrefix = "/blobServices/default/containers/";
    private const string SubjectBlobsSegment = "/blobs/";

    /// <summary>
    /// The blob's name when <paramref name="message"/> is a BlobCreated event for a blob in
    /// <paramref name="container"/>; null (with the reason) for anything else, malformed JSON included.
    /// </summary>
    public static string? TryGetBlobName(string message, string container, out string? ignoredBecause)
    {
        ignoredBecause = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message);
        }
        catch (JsonException e)
        {
            ignoredBecause = $"not JSON ({e.Message})";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            // A webhook batch is an array; a queue message holds one event. Accept a batch of one.
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 1)
            {
                root = root[0];
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                ignoredBecause = "not a single event";
                return null;
            }

            var type = Text(root, "eventType") ?? Text(root, "type");
            if (!string.Equals(type, EventType, StringComparison.Ordinal))
            {
                ignoredBecause = $"event type '{type}' is not {EventType}";
                return null;
            }

            var subject = Text(root, "subject");
            var prefix = SubjectContainersPrefix + container + SubjectBlobsSegment;
            if (subject is null || !subject.StartsWith(prefix, StringComparison.Ordinal) || subject.Length == prefix.Length)
            {
                ignoredBecause = $"subject '{subject}' is not a blob in container '{container}'";
                return null;
            }

            return subject[prefix.Length..];
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
