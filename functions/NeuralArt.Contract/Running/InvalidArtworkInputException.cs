namespace NeuralArt.Contract;

/// <summary>A readable reason why a job's input or parameters cannot be used (maps to 400 or a failed job).</summary>
public sealed class InvalidArtworkInputException : Exception
{
    public InvalidArtworkInputException(string message, string? field = null, Exception? inner = null)
        : base(message, inner) => Field = field;

    /// <summary>The parameter or input the problem is with, for example <c>iterations</c> or <c>content</c>.</summary>
    public string? Field { get; }
}
