using NeuralArt.Contract;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NeuralArt.Pipeline.Storage;

/// <summary>
/// Where everything lives in the storage account (documented in docs/pipeline.md, "Storage layout").
/// <list type="bullet">
/// <item><c>inbox/dream/&lt;file&gt;</c>, <c>inbox/style/&lt;style&gt;/&lt;file&gt;</c>: drop-in sources (+ optional <c>&lt;file&gt;.json</c> sidecar).</item>
/// <item><c>styles/&lt;style&gt;.&lt;ext&gt;</c>: the style images that inbox style jobs name.</item>
/// <item><c>uploads/...</c>: sources uploaded by <c>neuralart submit</c> for HTTP jobs.</item>
/// <item><c>jobs/{id}/checkpoints/...</c>: engine state between chunks (deleted when the job finishes).</item>
/// <item><c>outputs/{id}/preview.jpg|job.json|error.json</c>: what every job leaves behind, beside the
/// outputs its engine declares (<c>result.png</c> for a still; <c>frames/00000.png</c>..., <c>animation.gif</c>, ... for a sequence).</item>
/// </list>
/// </summary>
public static partial class StorageLayout
{
    public const string InboxContainer = "inbox";
    public const string StylesContainer = "styles";
    public const string UploadsContainer = "uploads";
    public const string JobsContainer = "jobs";
    public const string OutputsContainer = "outputs";

    public const string PreviewFileName = "preview.jpg";
    public const string JobFileName = "job.json";
    public const string ErrorFileName = "error.json";

    private const string CheckpointsFolder = "checkpoints";
    private const string CheckpointExtension = ".ckpt";
    private const string ChunkRunsFolder = "runs";

    /// <summary>The containers the pipeline creates on start.</summary>
    public static IReadOnlyList<string> Containers { get; } =
        [InboxContainer, StylesContainer, UploadsContainer, JobsContainer, OutputsContainer];

    /// <summary>Containers a job's sources may come from (never its own outputs or checkpoints).</summary>
    public static IReadOnlyList<string> SourceContainers { get; } = [InboxContainer, StylesContainer, UploadsContainer];

    /// <summary>A file an engine declares (<see cref="OutputDescriptor.File"/>) under the job's outputs.</summary>
    public static BlobRef Output(string jobId, string file) => new(OutputsContainer, $"{jobId}/{file}");

    /// <summary>The still every single-picture engine makes (<see cref="OutputDescriptor.Result"/>).</summary>
    public static BlobRef Result(string jobId) => Output(jobId, OutputDescriptor.Result.File!);

    /// <summary>Frame <paramref name="index"/> of a job's sequence (<see cref="FrameNames"/>).</summary>
    public static BlobRef Frame(string jobId, int index) => Output(jobId, FrameNames.File(index));
    public static BlobRef Preview(string jobId) => new(OutputsContainer, $"{jobId}/{PreviewFileName}");
    public static BlobRef JobManifest(string jobId) => new(OutputsContainer, $"{jobId}/{JobFileName}");
    public static BlobRef Error(string jobId) => new(OutputsContainer, $"{jobId}/{ErrorFileName}");

    /// <summary>A sweep's contact sheet and its layout (<c>outputs/{sweepId}/sheet.png</c>, <c>sheet.json</c>).</summary>
    public static BlobRef SweepSheet(string sweepId) => Output(sweepId, "sheet.png");
    public static BlobRef SweepSheetLayout(string sweepId) => Output(sweepId, "sheet.json");

    /// <summary>The folder (blob name prefix in <see cref="JobsContainer"/>) holding a job's checkpoints.</summary>
    public static string CheckpointPrefix(string jobId) => $"{jobId}/{CheckpointsFolder}/";

    /// <summary>
    /// A checkpoint's blob. The name sorts in render order (completed iterations, then phase, then
    /// iteration in the phase), so the last one listed is the furthest the job got.
    /// </summary>
    public static BlobRef Checkpoint(string jobId, CheckpointKey key) =>
        new(JobsContainer, CheckpointPrefix(jobId) + key.ToFileName() + CheckpointExtension);

    /// <summary>The folder (blob name prefix in <see cref="JobsContainer"/>) holding a job's chunk records.</summary>
    public static string ChunkRunPrefix(string jobId) => $"{jobId}/{ChunkRunsFolder}/";

    /// <summary>The record of the chunk that started from <paramref name="from"/> (names sort in render order).</summary>
    public static BlobRef ChunkRun(string jobId, CheckpointKey from) =>
        new(JobsContainer, ChunkRunPrefix(jobId) + from.ToFileName() + ".json");

    public static bool TryParseCheckpoint(string blobName, out CheckpointKey key)
    {
        key = default;
        var file = blobName[(blobName.LastIndexOf('/') + 1)..];
        return file.EndsWith(CheckpointExtension, StringComparison.Ordinal)
            && CheckpointKey.TryParseFileName(file[..^CheckpointExtension.Length], out key);
    }

    /// <summary>Image extensions looked for in a library, in order (<c>starry-night</c> is <c>styles/starry-night.jpg</c>).</summary>
    public static IReadOnlyList<string> LibraryExtensions { get; } = [".jpg", ".jpeg", ".png", ".webp", ".bmp"];

    /// <summary>The containers of the named image libraries engines' input roles refer to.</summary>
    public static IReadOnlyDictionary<string, string> Libraries { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["styles"] = StylesContainer,
    };

    /// <summary>The image of a library by bare name (or name with extension); null when there is none.</summary>
    public static async Task<BlobRef?> ResolveLibraryAsync(IArtworkStore store, string library, string name, CancellationToken cancellationToken)
    {
        if (!Libraries.TryGetValue(library, out var container)) return null;
        if (Path.HasExtension(name) && await store.GetInfoAsync(new BlobRef(container, name), cancellationToken).ConfigureAwait(false) is not null)
        {
            return new BlobRef(container, name);
        }

        foreach (var extension in LibraryExtensions)
        {
            var candidate = new BlobRef(container, name + extension);
            if (await store.GetInfoAsync(candidate, cancellationToken).ConfigureAwait(false) is not null)
            {
                return candidate;
            }
        }

        return null;
    }

    public static bool IsValidContainerName(string name) => ContainerNamePattern().IsMatch(name);

    /// <summary>Blob names we accept in requests: no empty segments, no dot segments, no control characters, at most 1024 characters.</summary>
    public static bool IsValidBlobName(string name) =>
        name.Length is > 0 and <= 1024
        && !name.Split('/').Any(segment => segment.Length == 0 || segment is "." or "..")
        && !name.Any(char.IsControl);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerNamePattern();
}

/// <summary>Where a checkpoint stands in a render; orders checkpoints of one job.</summary>
public readonly record struct CheckpointKey(int CompletedIterations, int Phase, int PhaseIteration) : IComparable<CheckpointKey>
{
    public int CompareTo(CheckpointKey other)
    {
        var byCompleted = CompletedIterations.CompareTo(other.CompletedIterations);
        if (byCompleted != 0)
        {
            return byCompleted;
        }

        var byPhase = Phase.CompareTo(other.Phase);
        return byPhase != 0 ? byPhase : PhaseIteration.CompareTo(other.PhaseIteration);
    }

    public static bool operator <(CheckpointKey left, CheckpointKey right) => left.CompareTo(right) < 0;
    public static bool operator >(CheckpointKey left, CheckpointKey right) => left.CompareTo(right) > 0;
    public static bool operator <=(CheckpointKey left, CheckpointKey right) => left.CompareTo(right) <= 0;
    public static bool operator >=(CheckpointKey left, CheckpointKey right) => left.CompareTo(right) >= 0;

    /// <summary>Fixed-width decimal fields so that names sort like keys.</summary>
    public string ToFileName() => string.Create(CultureInfo.InvariantCulture, $"c{CompletedIterations:D9}-p{Phase:D3}-i{PhaseIteration:D9}");

    public static bool TryParseFileName(string file, out CheckpointKey key)
    {
        key = default;
        var parts = file.Split('-');
        if (parts.Length != 3 || parts[0].Length < 2 || parts[0][0] != 'c' || parts[1][0] != 'p' || parts[2][0] != 'i')
        {
            return false;
        }

        if (!int.TryParse(parts[0].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var completed)
            || !int.TryParse(parts[1].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var phase)
            || !int.TryParse(parts[2].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var phaseIteration))
        {
            return false;
        }

        key = new CheckpointKey(completed, phase, phaseIteration);
        return true;
    }
}
