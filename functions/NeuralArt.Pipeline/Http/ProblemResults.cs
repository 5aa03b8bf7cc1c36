using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace NeuralArt.Pipeline.Http;

/// <summary>RFC 9457 problem bodies with the extra <c>field</c> member naming what was wrong.</summary>
public static class ProblemResults
{
    public const string ContentType = "application/problem+json";

    public static IResult BadRequest(string field, string detail) => Create(StatusCodes.Status400BadRequest, "Invalid request", detail, field);

    public static IResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail, null);

    public static IResult Conflict(string detail) => Create(StatusCodes.Status409Conflict, "Conflict", detail, null);

    public static IResult Create(int status, string title, string detail, string? field) =>
        Results.Json(new Problem(status, title, detail, field), contentType: ContentType, statusCode: status);

    public sealed record Problem(
        [property: JsonPropertyName("status")] int Status,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("detail")] string Detail,
        [property: JsonPropertyName("field"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field)
    {
        /// <summary>No problem type beyond the status code (RFC 9457 section 4.2.1).</summary>
        [JsonPropertyName("type")] public string Type => "about:blank";
    }
}

/// <summary>A request was refused: <see cref="Field"/> names the member at fault.</summary>
public sealed class RequestValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
