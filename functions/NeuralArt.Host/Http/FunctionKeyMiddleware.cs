using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using NeuralArt.Pipeline.Http;

namespace NeuralArt.Host.Http;

/// <summary>
/// Function-level authorization like the Functions host's: API calls present the key in the
/// <c>x-functions-key</c> header or the <c>code</c> query parameter, else 401.
/// </summary>
public sealed class FunctionKeyMiddleware(RequestDelegate next, FunctionKey key)
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && !IsAuthorized(context.Request))
        {
            await ProblemResults.Create(StatusCodes.Status401Unauthorized, "Unauthorized",
                $"Send the function key in the {HeaderName} header or the {QueryName} query parameter.", null).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private bool IsAuthorized(HttpRequest request)
    {
        string? presented = request.Headers[HeaderName];
        if (string.IsNullOrEmpty(presented))
        {
            presented = request.Query[QueryName];
        }

        return !string.IsNullOrEmpty(presented)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(key.Value));
    }
}

/// <summary>The host's function key: configured, or read from (else generated into) the key file.</summary>
public sealed class FunctionKey(string value)
{
    private const int KeyBytes = 32;

    public string Value { get; } = value;

    public static FunctionKey Resolve(LocalHostOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.FunctionKey))
        {
            return new FunctionKey(options.FunctionKey.Trim());
        }

        if (File.Exists(options.KeyFile) && File.ReadAllText(options.KeyFile).Trim() is { Length: > 0 } existing)
        {
            return new FunctionKey(existing);
        }

        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.KeyFile))!);
        File.WriteAllText(options.KeyFile, generated);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(options.KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new FunctionKey(generated);
    }
}
