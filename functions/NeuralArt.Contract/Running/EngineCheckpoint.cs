namespace NeuralArt.Contract;

/// <summary>
/// Serialized engine state plus where it stands; after a chunk also the effective settings it ran
/// with (a JSON object), when asked for, a JPEG preview of the current image, and the frames of a
/// sequence that the chunk finished (handed over once, never kept in <see cref="State"/>).
/// </summary>
public sealed record EngineCheckpoint(byte[] State, EngineProgress Progress)
{
    public string? SettingsJson { get; init; }

    public byte[]? Preview { get; init; }

    public IReadOnlyList<EngineFrame> Frames { get; init; } = [];
}
