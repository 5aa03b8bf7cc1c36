using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>One input image of a job: its role (from the engine's descriptor) and the blob it is read from.</summary>
public sealed record JobInput(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("blob")] BlobRef Blob);
