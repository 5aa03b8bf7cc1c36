using System.Text.Json;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// A handler's body cap and the words of each refusal (<see cref="JsonBody"/>): each API says what
/// it expects in its own terms.
/// </summary>
/// <param name="MaxBytes">The most bytes a body may have.</param>
/// <param name="TooLarge">The detail when it has more.</param>
/// <param name="Null">The detail for a literal <c>null</c> body.</param>
/// <param name="Invalid">The detail for a body the serializer refuses.</param>
internal sealed record JsonBodyRules(int MaxBytes, string TooLarge, string Null, Func<JsonException, string> Invalid)
{
    /// <summary>The detail for an empty body; without it an empty body is <see cref="Invalid"/>.</summary>
    public string? Empty { get; init; }
}
