using System.Net;

namespace NeuralArt.Pipeline.Client;

/// <summary>
/// The API refused a call (Azure SDK's <c>RequestFailedException</c> in spirit): the HTTP status, the
/// field the problem body names, its detail, and for 429 how long to wait.
/// </summary>
public sealed class NeuralArtRequestException(HttpStatusCode status, string? field, string detail, TimeSpan? retryAfter = null)
    : Exception(field is null ? $"{(int)status}: {detail}" : $"{(int)status} ({field}): {detail}")
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The parameter or input the refusal is about, when the API named one.</summary>
    public string? Field { get; } = field;

    public string Detail { get; } = detail;

    /// <summary>The <c>Retry-After</c> of a 429.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
