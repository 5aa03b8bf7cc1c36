namespace NeuralArt.Contract;

/// <summary>
/// A finished frame of a sequence, as a chunk hands it over (PNG bytes): the host writes it to
/// <see cref="FrameNames.File"/> at once, so frames never accumulate in a checkpoint.
/// </summary>
public sealed record EngineFrame(int Index, byte[] Png);
