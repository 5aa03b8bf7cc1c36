namespace NeuralArt.Contract;

/// <summary>
/// What the host may know of an input before any engine sees it: the largest file it accepts, and
/// the size its header states (read from the first bytes, nothing decoded). The door checks every
/// input with it and the pipeline checks again before the engine starts; a file that is not a usable
/// input (empty, truncated, not a supported format, over the size limits) is refused with an
/// <see cref="InvalidArtworkInputException"/> naming its role. Implemented by the engines' assembly.
/// </summary>
public interface IInputInspector
{
    /// <summary>Largest input file accepted, in bytes (uploads are told this limit too).</summary>
    long MaxBytes { get; }

    /// <summary>The header of input <paramref name="name"/> in role <paramref name="role"/>, from its first bytes or the whole file.</summary>
    InputHeader Identify(ReadOnlyMemory<byte> header, string role, string name);
}
