using Microsoft.AspNetCore.Http;

namespace NeuralArt.Pipeline.Admission;

/// <summary>
/// A job refused at the door: the HTTP status (400 bad request, 413 too costly, 429 busy), the field
/// at fault, a readable reason, and for 413 the cost and the cap that refused it.
/// </summary>
public sealed class JobRejectedException(int status, string? field, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string? Field { get; } = field;

    /// <summary>For 413: what the plan predicted and what the host allows (name -> value).</summary>
    public IReadOnlyDictionary<string, double>? Cost { get; init; }

    public IReadOnlyDictionary<string, double>? Cap { get; init; }

    public static JobRejectedException BadRequest(string field, string message) => new(StatusCodes.Status400BadRequest, field, message);
}
