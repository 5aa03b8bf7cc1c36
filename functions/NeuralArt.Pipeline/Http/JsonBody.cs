using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NeuralArt.Pipeline.Admission;

namespace NeuralArt.Pipeline.Http;

/// <summary>
/// Reads a small JSON request body without trusting Content-Length: refused past
/// <see cref="JsonBodyRules.MaxBytes"/> while reading, so a client cannot make a handler buffer
/// more. Every refusal is a <see cref="JobRejectedException"/> (400) naming <c>body</c> or the JSON
/// path the serializer stopped at, in the words of the caller's <see cref="JsonBodyRules"/>.
/// </summary>
internal static class JsonBody
{
    private const int ChunkBytes = 4 * 1024;

    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonBodyRules rules, JsonSerializerOptions options, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > rules.MaxBytes)
        {
            throw JobRejectedException.BadRequest("body", rules.TooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(ChunkBytes, rules.MaxBytes + 1)];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > rules.MaxBytes)
            {
                throw JobRejectedException.BadRequest("body", rules.TooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0 && rules.Empty is { } empty)
        {
            throw JobRejectedException.BadRequest("body", empty);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), options)
                ?? throw JobRejectedException.BadRequest("body", rules.Null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            throw JobRejectedException.BadRequest(field, rules.Invalid(e));
        }
    }
}
