namespace NeuralArt.Contract;

/// <summary>
/// What a job starts from: the content image's encoded bytes, optional extra images (style images,
/// a guide image) by role, and the engine's parameters as JSON (an engine-specific settings record).
/// </summary>
public sealed record ArtworkInputs(
    ReadOnlyMemory<byte> Content,
    IReadOnlyList<NamedImage> Extras,
    string ParametersJson);
