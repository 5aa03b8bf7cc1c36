namespace NeuralArt.Contract;

/// <summary>
/// What a job starts from: the source image's encoded bytes (role <see cref="EngineDescriptor.SourceRole"/>), optional extra images (style images,
/// a guide image) by role, and the engine's parameters as JSON (an engine-specific settings record).
/// </summary>
public sealed record ArtworkInputs(
    ReadOnlyMemory<byte> Source,
    IReadOnlyList<NamedImage> Extras,
    string ParametersJson);
