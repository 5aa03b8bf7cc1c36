using System.ComponentModel;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Host;
using NeuralArt.Host.Http;
using NeuralArt.Pipeline.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart submit &lt;image&gt; [--style NAME|FILE] [--param k=v]...</c>: uploads the image to the
/// <c>uploads</c> container, starts a job with <c>POST /api/jobs</c>, follows it with a progress bar
/// and downloads the result (through its short-lived link) into the output folder.
/// </summary>
public sealed class SubmitCommand : AsyncCommand<SubmitCommand.Settings>
{
    public const string KeyVariable = "NEURALART_FUNCTION_KEY";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<image>")]
        [Description("The photo to transform.")]
        public string Image { get; init; } = "";

        [CommandOption("--style <NAME|FILE>")]
        [Description("Make a style transfer: a style name already in styles/, or an image file to upload there.")]
        public string? Style { get; init; }

        [CommandOption("-p|--param <KEY=VALUE>")]
        [Description("An engine parameter (repeatable), for example -p iterations=5 -p octaves=3.")]
        public string[] Parameters { get; init; } = [];

        [CommandOption("-o|--output <DIR>")]
        [Description("Folder for the result.")]
        [DefaultValue("out")]
        public string Output { get; init; } = "out";

        [CommandOption("--url <URL>")]
        [Description("The API's base address (a local host or a Functions app).")]
        [DefaultValue("http://127.0.0.1:7071")]
        public string Url { get; init; } = "http://127.0.0.1:7071";

        [CommandOption("--key <KEY>")]
        [Description("Function key (default: NEURALART_FUNCTION_KEY, else ~/.neuralart/function.key).")]
        public string? Key { get; init; }

        [CommandOption("--storage <CONNECTION>")]
        [Description("Storage to upload to (default: NEURALART_STORAGE, else AZURITE_CONNECTION_STRING, else Azurite).")]
        public string? Storage { get; init; }

        [CommandOption("--chunk-seconds <S>")]
        [Description("Time budget per chunk for this job (default: the host's).")]
        public double? ChunkSeconds { get; init; }

        public override ValidationResult Validate()
        {
            if (!File.Exists(Image)) return ValidationResult.Error($"There is no file '{Image}'.");
            if (Style is not null && (Style.Contains('/') || Style.Contains('\\') || Path.HasExtension(Style)) && !File.Exists(Style))
                return ValidationResult.Error($"There is no style file '{Style}'.");
            foreach (var parameter in Parameters)
            {
                if (!parameter.Contains('=') || parameter.StartsWith('='))
                    return ValidationResult.Error($"--param '{parameter}' is not of the form key=value.");
            }

            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var blobs = new BlobServiceClient(StorageConnection.Resolve(settings.Storage));
        var upload = new BlobRef(StorageLayout.UploadsContainer, $"{DateTime.UtcNow:yyyyMMdd}/{Guid.NewGuid():N}/{Path.GetFileName(settings.Image)}");
        await UploadAsync(blobs, upload, settings.Image, cancellationToken);

        string? style = null;
        if (settings.Style is { } styleOption)
        {
            if (File.Exists(styleOption))
            {
                style = Path.GetFileNameWithoutExtension(styleOption);
                await UploadAsync(blobs, new BlobRef(StorageLayout.StylesContainer, style + Path.GetExtension(styleOption).ToLowerInvariant()), styleOption, cancellationToken);
            }
            else
            {
                style = styleOption;
            }
        }

        var body = new JsonObject
        {
            ["kind"] = style is null ? "dream" : "style",
            ["source"] = upload.ToString(),
            ["parameters"] = ParseParameters(settings.Parameters),
        };
        if (style is not null) body["style"] = style;
        if (settings.ChunkSeconds is { } budget) body["chunkBudgetSeconds"] = budget;

        using var http = new HttpClient { BaseAddress = new Uri(settings.Url) };
        http.DefaultRequestHeaders.Add(FunctionKeyMiddleware.HeaderName, ResolveKey(settings.Key));
        using var response = await http.PostAsJsonAsync("/api/jobs", body, cancellationToken);
        var accepted = await ReadJsonAsync(response, cancellationToken);
        var id = accepted.GetProperty("id").GetString()!;
        AnsiConsole.MarkupLine(Markup.Escape($"Job {id} started ({body["kind"]} of {upload})."));

        var job = await FollowAsync(http, id, cancellationToken);
        var status = job.GetProperty("status").GetString();
        if (status != "completed")
        {
            var reason = job.TryGetProperty("error", out var error) ? error.GetProperty("reason").GetString() : status;
            AnsiConsole.MarkupLine($"[red]Job {Markup.Escape(id)} {Markup.Escape(status ?? "ended")}:[/] {Markup.Escape(reason ?? "")}");
            return ErrorReporter.ExitBadInput;
        }

        var result = job.GetProperty("result");
        var url = result.TryGetProperty("url", out var link) ? link.GetString() : null;
        var bytes = url is not null
            ? await new HttpClient().GetByteArrayAsync(url, cancellationToken)
            : (await blobs.GetBlobContainerClient(StorageLayout.OutputsContainer)
                .GetBlobClient(BlobRef.Parse(result.GetProperty("blob").GetString()!).Name).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        Directory.CreateDirectory(settings.Output);
        var path = Path.Combine(settings.Output, $"{Path.GetFileNameWithoutExtension(settings.Image)}_{body["kind"]}.png");
        await File.WriteAllBytesAsync(path, bytes, cancellationToken);
        var elapsed = job.GetProperty("progress").GetProperty("elapsedSeconds").GetDouble();
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Wrote {path} (job {id}, {elapsed:F1} s).")));
        return 0;
    }

    /// <summary>Polls the job with a progress bar until it ends.</summary>
    private static async Task<JsonElement> FollowAsync(HttpClient http, string id, CancellationToken cancellationToken)
    {
        JsonElement job = default;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask("queued", maxValue: 100);
                while (true)
                {
                    using var response = await http.GetAsync($"/api/jobs/{id}", cancellationToken);
                    job = await ReadJsonAsync(response, cancellationToken);
                    if (job.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Object)
                    {
                        bar.Value = p.GetProperty("percent").GetDouble();
                        bar.Description = Markup.Escape(Describe(p));
                    }

                    if (job.GetProperty("status").GetString() is "completed" or "failed" or "cancelled")
                    {
                        if (job.GetProperty("status").GetString() == "completed") bar.Value = 100;
                        bar.StopTask();
                        return;
                    }

                    await Task.Delay(PollInterval, cancellationToken);
                }
            });
        return job;
    }

    private static string Describe(JsonElement progress)
    {
        var phase = progress.GetProperty("phase").GetString();
        if (phase != "running") return phase ?? "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{progress.GetProperty("stage").GetString()} {progress.GetProperty("stageIndex").GetInt32()}/{progress.GetProperty("stageCount").GetInt32()}, " +
            $"iteration {progress.GetProperty("iteration").GetInt32()}/{progress.GetProperty("totalIterations").GetInt32()}");
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var detail = text;
            try
            {
                var problem = JsonDocument.Parse(text).RootElement;
                detail = problem.GetProperty("detail").GetString() + (problem.TryGetProperty("field", out var field) ? $" (field: {field.GetString()})" : "");
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // Not a problem body: show it as it came.
            }

            throw new InvalidOperationException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task UploadAsync(BlobServiceClient blobs, BlobRef blob, string file, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(blob.Container);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await using var stream = File.OpenRead(file);
        await container.GetBlobClient(blob.Name).UploadAsync(stream, overwrite: true, cancellationToken);
    }

    /// <summary><c>key=value</c> pairs as a JSON object; values that read as JSON (numbers, booleans, arrays) stay typed.</summary>
    internal static JsonObject ParseParameters(IEnumerable<string> pairs)
    {
        var parameters = new JsonObject();
        foreach (var pair in pairs)
        {
            var (key, value) = (pair[..pair.IndexOf('=')].Trim(), pair[(pair.IndexOf('=') + 1)..].Trim());
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(value);
            }
            catch (JsonException)
            {
                node = JsonValue.Create(value);
            }

            parameters[key] = node;
        }

        return parameters;
    }

    private static string ResolveKey(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option)) return option;
        if (Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnvironment) return fromEnvironment;
        var file = new LocalHostOptions().KeyFile;
        if (File.Exists(file)) return File.ReadAllText(file).Trim();
        throw new InvalidOperationException($"No function key: pass --key, set {KeyVariable}, or start 'neuralart serve' on this machine (it writes {file}).");
    }
}
