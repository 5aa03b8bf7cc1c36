namespace NeuralArt.Contract;

/// <summary>
/// An engine whose work runs in resumable chunks: the pipeline (and the CLI) start a render, run it
/// a few iterations at a time from serialized state (taking the frames each chunk finishes), and
/// finish it into the outputs its descriptor declares. Nothing here knows about blobs or Durable
/// Task: state is plain bytes, inputs are encoded image bytes.
/// </summary>
public interface IArtworkEngine
{
    /// <summary>The job kind this engine serves (<see cref="EngineDescriptor.Kind"/>).</summary>
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

    /// <summary>Encodes the current image of <paramref name="state"/> (PNG or JPEG): the preview, or a still's result.</summary>
    Task<byte[]> RenderAsync(ReadOnlyMemory<byte> state, RenderFormat format, int? maxSide = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the job's final files from the completed <paramref name="state"/>: every declared output
    /// but the frames, which the chunks already handed over and <paramref name="outputs"/> reads back.
    /// An output that cannot be made throws <see cref="InvalidArtworkInputException"/> with the reason
    /// (the job fails with it); files written before that stay.
    /// </summary>
    Task FinishAsync(ReadOnlyMemory<byte> state, IEngineOutputs outputs, CancellationToken cancellationToken = default);
}
