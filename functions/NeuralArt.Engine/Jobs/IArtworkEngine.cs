namespace NeuralArt.Engine.Jobs;

/// <summary>
/// An engine whose work runs in resumable chunks: the pipeline (and the CLI) start a render, run it
/// a few iterations at a time from serialized state, and render the result. Implemented by the
/// DeepDream and style transfer engines. Nothing here knows about blobs or Durable Task: state is
/// plain bytes, inputs are encoded image bytes.
/// </summary>
public interface IArtworkEngine
{
    /// <summary>The job kind this engine serves (<see cref="ArtworkKinds"/>).</summary>
    string Kind { get; }

    /// <summary>
    /// What the engine takes and its parameters, with ranges narrowed to the host's
    /// <paramref name="limits"/> (a form built from it offers nothing the host would refuse).
    /// </summary>
    EngineDescriptor Describe(EngineLimits limits);

    /// <summary>
    /// Checks a job before any work: parameters against the descriptor and each other, the model and
    /// taps against the catalog, the inputs' header sizes, the host's caps; fills every default, draws
    /// the seed, and predicts the cost. Pure and cheap: no pixel decoded, no graph run or compiled.
    /// Bad input throws <see cref="InvalidArtworkInputException"/> naming the field.
    /// </summary>
    JobPlan Plan(PlanRequest request);

    /// <summary>
    /// Decodes and checks the inputs (size limits, formats), validates the parameters, and returns
    /// the serialized initial state. Bad input throws <see cref="InvalidArtworkInputException"/>.
    /// </summary>
    Task<EngineCheckpoint> StartAsync(ArtworkInputs inputs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Resumes from <paramref name="state"/>, runs at most <paramref name="maxIterations"/>
    /// iterations (never past the end of the current octave or scale), and returns the new state with
    /// the effective settings it ran with and, when <paramref name="previewMaxSide"/> is given, a JPEG
    /// preview of the current image at most that side (made from the state in memory: no second decode).
    /// On CPU, running N iterations in one call or in several gives the same pixels.
    /// </summary>
    Task<EngineCheckpoint> RunChunkAsync(
        ReadOnlyMemory<byte> state,
        int maxIterations,
        IProgress<EngineProgress>? progress = null,
        int? previewMaxSide = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The default model and the execution provider the engine's graphs run on (for the job's
    /// record); the provider is null until a graph has been loaded.
    /// </summary>
    EngineRuntime Runtime => new(null, null);

    /// <summary>Encodes the current image of <paramref name="state"/> (PNG or JPEG).</summary>
    Task<byte[]> RenderAsync(ReadOnlyMemory<byte> state, RenderFormat format, int? maxSide = null, CancellationToken cancellationToken = default);
}

public static class ArtworkKinds
{
    public const string Dream = "dream";
    public const string Style = "style";
}

public enum RenderFormat { Png, Jpeg }

/// <summary>
/// What an engine runs on: its default model (for example <c>resnet18</c>), execution provider
/// (<c>Cpu</c>, <c>Cuda</c>) and the versions that decide its pixels (graph compiler, ONNX Runtime).
/// </summary>
public sealed record EngineRuntime(string? Model, string? Provider, IReadOnlyDictionary<string, string>? Versions = null);

/// <summary>
/// What a job starts from: the content image's encoded bytes, optional extra images (style images,
/// a guide image) by role, and the engine's parameters as JSON (an engine-specific settings record).
/// </summary>
public sealed record ArtworkInputs(
    ReadOnlyMemory<byte> Content,
    IReadOnlyList<NamedImage> Extras,
    string ParametersJson);

/// <summary>An extra input image, for example role <c>style</c> or <c>guide</c>.</summary>
public sealed record NamedImage(string Role, string Name, ReadOnlyMemory<byte> Bytes);

/// <summary>
/// Serialized engine state plus where it stands; after a chunk also the effective settings it ran
/// with (a JSON object) and, when asked for, a JPEG preview of the current image.
/// </summary>
public sealed record EngineCheckpoint(byte[] State, EngineProgress Progress)
{
    public string? SettingsJson { get; init; }

    public byte[]? Preview { get; init; }
}

/// <summary>
/// Where a render stands: phase (octave or scale) <c>Phase</c> of <c>PhaseCount</c> (1-based),
/// iterations done in the phase and overall, and the objective's latest value.
/// </summary>
public sealed record EngineProgress(
    int Phase,
    int PhaseCount,
    int PhaseIteration,
    int PhaseIterations,
    int CompletedIterations,
    int TotalIterations,
    double Loss,
    bool IsComplete,
    int Width,
    int Height)
{
    public double Fraction => TotalIterations == 0 ? 1 : (double)CompletedIterations / TotalIterations;
}

/// <summary>A readable reason why a job's input or parameters cannot be used (maps to 400 or a failed job).</summary>
public sealed class InvalidArtworkInputException : Exception
{
    public InvalidArtworkInputException(string message, string? field = null, Exception? inner = null)
        : base(message, inner) => Field = field;

    /// <summary>The parameter or input the problem is with, for example <c>iterations</c> or <c>content</c>.</summary>
    public string? Field { get; }
}
