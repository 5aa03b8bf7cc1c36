using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Http;

/// <summary>One declared output of a finished job as the API shows it: its kind, frame count for a sequence, and each file with a short-lived link.</summary>
public sealed record OutputView(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("files")] IReadOnlyList<BlobLink> Files,
    [property: JsonPropertyName("frames"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Frames = null);
