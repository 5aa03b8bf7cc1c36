using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Host;
using NeuralArt.Host.Http;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Client;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Jobs;
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

    public sealed class Settings : HostJobSettings
    {
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var blobs = new BlobServiceClient(StorageConnection.Resolve(settings.Storage));
        using var client = new NeuralArtClient(new Uri(settings.Url), ResolveKey(settings.Key));
        var primary = await PrimaryRoleAsync(client, settings.Kind, cancellationToken);
        var (upload, inputs) = await UploadInputsAsync(blobs, settings.Image, primary, settings.Inputs, cancellationToken);
        var submission = new JobSubmission
        {
            Kind = settings.Kind,
            Inputs = inputs,
            Parameters = ParseParameters(settings.Parameters),
            ChunkTimeBudgetSeconds = settings.ChunkSeconds,
        };

        JobOperation operation;
        try
        {
            operation = await client.StartJobAsync(submission, cancellationToken);
        }
        catch (NeuralArtRequestException e)
        {
            AnsiConsole.MarkupLine($"[red]Refused:[/] {Markup.Escape(e.Message)}");
            return ErrorReporter.ExitBadInput;
        }

        var id = operation.Id;
        AnsiConsole.MarkupLine(Markup.Escape($"Job {id} started ({settings.Kind} of {upload})."));
        var job = await FollowAsync(operation, cancellationToken);
        if (job.Status != "completed")
        {
            AnsiConsole.MarkupLine($"[red]Job {Markup.Escape(id)} {Markup.Escape(job.Status)}:[/] {Markup.Escape(job.Error?.Reason ?? "")}");
            return ErrorReporter.ExitBadInput;
        }

        Directory.CreateDirectory(settings.Output);
        var stem = $"{Path.GetFileNameWithoutExtension(settings.Image)}_{settings.Kind}";
        var written = new List<string>();
        if (job.Result is { } result)
        {
            // A still keeps its one file beside the photo's name, as before sequences existed.
            var path = Path.Combine(settings.Output, stem + Path.GetExtension(BlobRef.Parse(result.Blob).Name));
            await File.WriteAllBytesAsync(path, await DownloadAsync(blobs, result, cancellationToken), cancellationToken);
            written.Add(path);
        }

        // Every other declared output, under out/<photo>_<kind>/ with its own path (frames/00000.png, animation.gif).
        foreach (var file in (job.Outputs ?? new Dictionary<string, OutputView>()).Values.SelectMany(o => o.Files).Where(f => f.Blob != job.Result?.Blob))
        {
            var relative = BlobRef.Parse(file.Blob).Name[(id.Length + 1)..];
            var path = Path.GetFullPath(Path.Combine(settings.Output, stem, relative));
            if (!path.StartsWith(Path.GetFullPath(settings.Output), StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, await DownloadAsync(blobs, file, cancellationToken), cancellationToken);
            written.Add(path);
        }

        var elapsed = job.Progress?.ElapsedSeconds ?? 0;
        var summary = written.Count == 1 ? written[0] : $"{written.Count} files under {settings.Output}";
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Wrote {summary} (job {id}, {elapsed:F1} s).")));
        return 0;
    }

    /// <summary>
    /// Uploads the photo and every input that is a local file to <c>uploads/</c>, and returns the
    /// inputs by role (library names and blob references pass as they are). Shared with <c>sweep</c>.
    /// </summary>
    internal static async Task<(BlobRef Source, JsonObject Inputs)> UploadInputsAsync(
        BlobServiceClient blobs, string image, string primaryRole, IEnumerable<string> extra, CancellationToken cancellationToken)
    {
        var upload = new BlobRef(StorageLayout.UploadsContainer, $"{DateTime.UtcNow:yyyyMMdd}/{Guid.NewGuid():N}/{Path.GetFileName(image)}");
        await UploadAsync(blobs, upload, image, cancellationToken);
        var inputs = new JsonObject { [primaryRole] = new JsonArray(upload.ToString()) };
        foreach (var input in extra)
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

        return (upload, inputs);
    }

    /// <summary>
    /// The role the command's file fills: the kind's primary role as the host describes it (<c>video</c> for a
    /// clip engine); <c>source</c> for a kind the host does not know, whose refusal then names the kind.
    /// </summary>
    internal static async Task<string> PrimaryRoleAsync(NeuralArtClient client, string kind, CancellationToken cancellationToken) =>
        (await client.GetEnginesAsync(cancellationToken)).FirstOrDefault(e => e.Kind == kind)?.PrimaryRole ?? EngineDescriptor.SourceRole;

    /// <summary>A job's file through its short-lived link, or straight from storage when the API gave none.</summary>
    internal static async Task<byte[]> DownloadAsync(BlobServiceClient blobs, BlobLink file, CancellationToken cancellationToken)
    {
        if (file.Url is { } url)
        {
            using var http = new HttpClient();
            return await http.GetByteArrayAsync(url, cancellationToken);
        }

        var blob = BlobRef.Parse(file.Blob);
        return (await blobs.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
    }

    /// <summary>Follows the job with a progress bar until it ends.</summary>
    private static async Task<JobView> FollowAsync(JobOperation operation, CancellationToken cancellationToken)
    {
        JobView? job = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask("queued", maxValue: 100);
                job = await operation.WaitForCompletionAsync(new SynchronousProgress<JobView>(view =>
                {
                    if (view.Progress is { } p)
                    {
                        bar.Value = view.Status == "completed" ? 100 : p.Percent;
                        bar.Description = Markup.Escape(Describe(p));
                    }
                }), cancellationToken);
                bar.StopTask();
            });
        return job!;
    }

    internal static string Describe(JobStatus progress) => progress.Phase != JobPhases.Running
        ? progress.Phase
        : string.Create(CultureInfo.InvariantCulture,
            $"{progress.Stage} {progress.StageIndex}/{progress.StageCount}, iteration {progress.Iteration}/{progress.TotalIterations}");

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and race the bar's end).</summary>
    internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
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

    internal static string ResolveKey(string? option)
    {
        if (!string.IsNullOrWhiteSpace(option)) return option;
        if (Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnvironment) return fromEnvironment;
        var file = new LocalHostOptions().KeyFile;
        if (File.Exists(file)) return File.ReadAllText(file).Trim();
        throw new InvalidOperationException($"No function key: pass --key, set {KeyVariable}, or start 'neuralart serve' on this machine (it writes {file}).");
    }
}
