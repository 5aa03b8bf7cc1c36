using System.ComponentModel;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Host;
using NeuralArt.Host.Http;
using NeuralArt.Engine.Jobs;
using NeuralArt.Pipeline.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart submit &lt;image&gt; [--kind KIND] [--input ROLE=NAME|FILE]... [--param k=v]...</c>:
/// uploads the image (and any input files) to the <c>uploads</c> container, starts a job with
/// <c>POST /api/jobs</c> naming its inputs by role, follows it with a progress bar and downloads the
/// result (through its short-lived link) into the output folder. Kinds and roles are the host's
/// engines' (<c>GET /api/engines</c>); nothing here knows one.
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

        [CommandOption("-k|--kind <KIND>")]
        [Description("The job's kind, one of the host's engines (GET /api/engines), for example dream or style.")]
        [DefaultValue("dream")]
        public string Kind { get; init; } = "dream";

        [CommandOption("-i|--input <ROLE=NAME|FILE>")]
        [Description("A further input by role (repeatable): a file to upload, a library name or a blob container/name, for example -i style=starry-night.")]
        public string[] Inputs { get; init; } = [];

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
            foreach (var input in Inputs)
            {
                if (input.Split('=', 2) is not [{ Length: > 0 }, { Length: > 0 }])
                    return ValidationResult.Error($"--input '{input}' is not of the form role=value.");
            }
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

        var inputs = new JsonObject { [EngineDescriptor.SourceRole] = new JsonArray(upload.ToString()) };
        foreach (var input in settings.Inputs)
        {
            var (role, value) = (input[..input.IndexOf('=')], input[(input.IndexOf('=') + 1)..]);
            if (File.Exists(value))
            {
                // A local file goes to uploads/ like the photo; names and blob references pass as they are.
                var blob = new BlobRef(StorageLayout.UploadsContainer, $"{DateTime.UtcNow:yyyyMMdd}/{Guid.NewGuid():N}/{Path.GetFileName(value)}");
                await UploadAsync(blobs, blob, value, cancellationToken);
                value = blob.ToString();
            }

            if (inputs[role] is not JsonArray list) inputs[role] = list = [];
            list.Add(value);
        }

        var body = new JsonObject
        {
            ["kind"] = settings.Kind,
            ["inputs"] = inputs,
            ["parameters"] = ParseParameters(settings.Parameters),
        };
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
