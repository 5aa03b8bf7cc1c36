using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// The body of <c>POST /api/jobs</c>:
/// <code>{ "kind": "&lt;kind&gt;", "inputs": { "source": "uploads/…/cat.jpg", "&lt;role&gt;": ["&lt;library name&gt;", "&lt;container&gt;/&lt;blob&gt;"] }, "parameters": { … } }</code>
/// Inputs are named by the roles of the kind's engine descriptor (<c>GET /api/engines</c>); a role
/// takes one reference or an array of them.
/// </summary>
public sealed record JobSubmission
{
    [JsonPropertyName("kind")] public string? Kind { get; init; }

    /// <summary>Input images by role: a blob <c>container/name</c> (containers inbox, uploads or styles), or a bare name for a role with a library.</summary>
    [JsonPropertyName("inputs")] public JsonObject? Inputs { get; init; }

    /// <summary>Engine parameters (a JSON object), checked at the door against the engine's descriptor.</summary>
    [JsonPropertyName("parameters")] public JsonNode? Parameters { get; init; }

    /// <summary>Optional per-job chunk time budget in seconds (at most half the host's function timeout).</summary>
    [JsonPropertyName("chunkBudgetSeconds")] public double? ChunkTimeBudgetSeconds { get; init; }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
