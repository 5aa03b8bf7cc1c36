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

    /// <summary>A refusal at the door: 400, 413 (with the cost and the cap) or 429.</summary>
    public static IResult Rejected(Admission.JobRejectedException e) =>
        Results.Json(new Problem(e.Status, TitleOf(e.Status), e.Message, e.Field) { Cost = e.Cost, Cap = e.Cap }, contentType: ContentType, statusCode: e.Status);

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Job too large for this host",
        StatusCodes.Status429TooManyRequests => "Busy",
        _ => "Invalid request",
    };

    public sealed record Problem(
        [property: JsonPropertyName("status")] int Status,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("detail")] string Detail,
        [property: JsonPropertyName("field"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field)
    {
        /// <summary>For 413: what the job's plan predicted.</summary>
        [JsonPropertyName("cost"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, double>? Cost { get; init; }

        /// <summary>For 413: this host's cap.</summary>
        [JsonPropertyName("cap"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, double>? Cap { get; init; }

        /// <summary>No problem type beyond the status code (RFC 9457 section 4.2.1).</summary>
        [JsonPropertyName("type")] public string Type => "about:blank";
    }
}
