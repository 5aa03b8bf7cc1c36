using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// The body of <c>POST /api/jobs</c>:
/// <code>{ "kind": "dream" | "style", "source": "uploads/…/cat.jpg", "style": "starry-night" | "styles/x.jpg", "parameters": { … } }</code>
/// </summary>
public sealed record JobSubmission
{
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    /// <summary>The content image as <c>container/name</c> (containers inbox, uploads or styles).</summary>
    [JsonPropertyName("source")] public string? Source { get; init; }

    /// <summary>A style name (resolved to <c>styles/&lt;name&gt;.&lt;ext&gt;</c>) or a blob reference.</summary>
    [JsonPropertyName("style")] public string? Style { get; init; }

    /// <summary>Engine parameters (a JSON object); the engine checks them when the job starts.</summary>
    [JsonPropertyName("parameters")] public JsonNode? Parameters { get; init; }

    /// <summary>Optional per-job chunk time budget in seconds.</summary>
    [JsonPropertyName("chunkBudgetSeconds")] public double? ChunkTimeBudgetSeconds { get; init; }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
