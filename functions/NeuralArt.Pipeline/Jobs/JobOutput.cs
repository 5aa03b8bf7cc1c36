using System.Text.Json.Serialization;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>
/// One declared output of a finished job, in job.json and the job's outcome: what it is
/// (<see cref="NeuralArt.Contract.OutputKinds"/>), its blobs (frames in order), and for a sequence its frame count.
/// </summary>
public sealed record JobOutput(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("files")] IReadOnlyList<BlobRef> Files,
    [property: JsonPropertyName("frames"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Frames = null);
