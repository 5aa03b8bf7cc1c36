using NeuralArt.Engine;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Host;
using NeuralArt.Pipeline.Chunks;
using NeuralArt.Pipeline.Client;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Storage;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart bench-pipeline</c>: the pipeline's overhead. The same DeepDream (same image, settings
/// and seed) run directly through the engine, as <c>neuralart dream</c> does, and then through the
/// local host (HTTP submit, chunks as activities, checkpoints in storage, finalize), in one process
/// with one warmed-up engine; prints both times and their ratio, and whether the pixels agree.
/// Needs storage (Azurite: <c>scripts/azurite-start</c>).
/// </summary>
public sealed class PipelineBenchCommand : AsyncCommand<PipelineBenchCommand.Settings>
{
    private const long Seed = 1234;
    private const int WarmUpSide = 64;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public sealed class Settings : RuntimeSettings
    {
        [CommandOption("--size <PX>")]
        [Description("Side of the square test image.")]
        [DefaultValue(1024)]
        public int Size { get; init; } = 1024;

        [CommandOption("--octaves <N>")]
        [DefaultValue(DreamSettings.DefaultOctaves)]
        public int Octaves { get; init; } = DreamSettings.DefaultOctaves;

        [CommandOption("--iterations <N>")]
        [DefaultValue(DreamSettings.DefaultIterations)]
        public int Iterations { get; init; } = DreamSettings.DefaultIterations;

        [CommandOption("--chunk-seconds <S>")]
        [Description("Chunk time budget of the pipeline run.")]
        [DefaultValue(60.0)]
        public double ChunkSeconds { get; init; } = 60;

        [CommandOption("--repeats <N>")]
        [Description("Direct and pipeline runs, alternated; the medians are compared (the machine's load varies).")]
        [DefaultValue(1)]
        public int Repeats { get; init; } = 1;

        [CommandOption("--api-jobs <N>")]
        [Description("Also time the API: POST validation, and listing with this many jobs in the task hub (0: skip).")]
        [DefaultValue(0)]
        public int ApiJobs { get; init; }

        [CommandOption("--storage <CONNECTION>")]
        [Description("Storage (default: NEURALART_STORAGE, else AZURITE_CONNECTION_STRING, else Azurite on its default ports).")]
        public string? Storage { get; init; }

        [CommandOption("--executor <WHERE>")]
        [Description("Where the pipeline's chunks run: inProcess, or queued (on a chunk worker started in this process, over the storage queues).")]
        [DefaultValue(ChunkExecutors.InProcess)]
        public string Executor { get; init; } = ChunkExecutors.InProcess;

        public override ValidationResult Validate()
        {
            var result = base.Validate();
            if (!result.Successful) return result;
            if (!ChunkExecutors.IsKnown(Executor)) return ValidationResult.Error($"--executor must be {ChunkExecutors.InProcess} or {ChunkExecutors.Queued}.");
            if (Size is < DreamSettings.MinImageSide or > DreamSettings.MaxImageSide) return ValidationResult.Error("--size is out of range.");
            if (ChunkSeconds is < 1 or > 3600) return ValidationResult.Error("--chunk-seconds must be from 1 to 3600.");
            if (Repeats is < 1 or > 20) return ValidationResult.Error("--repeats must be from 1 to 20.");
            if (ApiJobs is < 0 or > ApiLatency.MaxJobs) return ValidationResult.Error($"--api-jobs must be from 0 to {ApiLatency.MaxJobs}.");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var storage = StorageConnection.Resolve(settings.Storage);
        var hub = $"bench{Guid.NewGuid():N}"[..16];
        var key = Guid.NewGuid().ToString("N");
        var port = FreeLoopbackPort();
        string[] args =
        [
            string.Create(CultureInfo.InvariantCulture, $"--NeuralArt:Pipeline:ChunkTimeBudgetSeconds={settings.ChunkSeconds}"),
            "--Logging:LogLevel:Default=Warning",
            $"--{ChunkQueueOptions.SectionName}:{nameof(ChunkQueueOptions.Executor)}={settings.Executor}",
            // Private queues: a bench never takes another host's chunks.
            $"--{ChunkQueueOptions.SectionName}:{nameof(ChunkQueueOptions.ChunksQueue)}=chunks-{hub}",
            $"--{ChunkQueueOptions.SectionName}:{nameof(ChunkQueueOptions.ResultsQueue)}=results-{hub}",
        ];
        await using var app = LocalHost.Build(args, (services, configuration) => services.AddPipelineEngines(configuration, settings), options =>
        {
            options.StorageConnectionString = storage;
            options.TaskHubName = hub;
            options.FunctionKey = key;
            options.Url = $"http://127.0.0.1:{port}";
            options.WatchInbox = false;
        });
        await app.StartAsync(cancellationToken);
        var engine = app.Services.GetServices<IArtworkEngine>().Single(e => e.Kind == ArtworkKinds.Dream);

        // Queued: one chunk worker with engines of its own, in this process, warmed up like the host's.
        using var worker = ChunkExecutors.IsQueued(settings.Executor)
            ? LocalHost.BuildWorker([.. args, $"--{ChunkQueueOptions.SectionName}:{nameof(ChunkQueueOptions.WorkerIdleTimeout)}=00:00:00"],
                (services, configuration) => services.AddPipelineEngines(configuration, settings), options => options.StorageConnectionString = storage)
            : null;

        var dream = new DreamSettings { Octaves = settings.Octaves, Iterations = settings.Iterations, MaxSize = settings.Size, Seed = Seed, Model = settings.Model };
        var image = PatternPng(settings.Size);

        // Warm up once (sessions, compiled graphs) so that neither run pays for it.
        await DirectAsync(engine, PatternPng(WarmUpSide), dream with { Octaves = 1, Iterations = 1, MaxSize = WarmUpSide }, cancellationToken);
        if (worker is not null)
        {
            await DirectAsync(worker.Services.GetServices<IArtworkEngine>().Single(e => e.Kind == ArtworkKinds.Dream),
                PatternPng(WarmUpSide), dream with { Octaves = 1, Iterations = 1, MaxSize = WarmUpSide }, cancellationToken);
            await worker.StartAsync(cancellationToken);
        }

        AnsiConsole.MarkupLine(Markup.Escape($"DeepDream {settings.Size}x{settings.Size}, {dream.Octaves} octaves x {dream.Iterations} iterations, seed {Seed}."));
        var blobs = new BlobServiceClient(storage);
        var source = new BlobRef(StorageLayout.UploadsContainer, $"bench/{hub}/pattern.png");
        await blobs.GetBlobContainerClient(source.Container).GetBlobClient(source.Name).UploadAsync(BinaryData.FromBytes(image), overwrite: true, cancellationToken);
        using var client = new NeuralArtClient(new Uri($"http://127.0.0.1:{port}"), key, new NeuralArtClientOptions { MinPollInterval = PollInterval });

        var directTimes = new List<double>();
        var pipelineTimes = new List<double>();
        var gaps = new List<double>();
        for (var run = 1; run <= settings.Repeats; run++)
        {
            var direct = Stopwatch.StartNew();
            var directPng = await DirectAsync(engine, image, dream, cancellationToken);
            directTimes.Add(direct.Elapsed.TotalSeconds);

            var pipeline = Stopwatch.StartNew();
            var (job, pipelinePng, plan, manifest) = await ThroughPipelineAsync(client, source, dream, cancellationToken);
            if (pipelinePng is null || manifest is null)
            {
                AnsiConsole.MarkupLine($"[red]the pipeline job did not complete:[/] {Markup.Escape(job.Error?.Reason ?? job.Status)}");
                return ErrorReporter.ExitFailure;
            }

            pipelineTimes.Add(pipeline.Elapsed.TotalSeconds);
            var chunks = job.Progress?.Chunks ?? 0;
            var compute = manifest.RootElement.GetProperty("timings").GetProperty("computeSeconds").GetDouble();
            gaps.AddRange(ChunkGaps(manifest));
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"run {run}: direct {directTimes[^1]:F2} s, pipeline {pipelineTimes[^1]:F2} s ({chunks} chunks), ratio {pipelineTimes[^1] / directTimes[^1]:F3}x, same pixels: {(SamePixels(directPng, pipelinePng) ? "yes" : "no")}")));
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"       plan: {plan.Cost.MultiplyAdds:E3} multiply-adds, {plan.Cost.PixelIterations:N0} pixel-iterations, peak ~{plan.Cost.PeakMemoryBytes >> 20:N0} MiB, checkpoint {plan.Cost.CheckpointBytes >> 20:N1} MiB; " +
                $"measured compute {compute:F2} s = {plan.Cost.MultiplyAdds / compute / 1e9:F1} G multiply-adds/s")));
        }

        var medianDirect = Median(directTimes);
        var medianPipeline = Median(pipelineTimes);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"pipeline overhead: direct {medianDirect:F2} s, pipeline {medianPipeline:F2} s (submit to downloaded result, local host on {StorageConnection.Describe(storage)}), ratio {medianPipeline / medianDirect:F3}x (median of {settings.Repeats})")));
        if (gaps.Count > 0)
        {
            // The pipeline's own cost per chunk, whatever the engine: from one chunk's end to the next one's start
            // (result reported, orchestration replayed, next chunk dispatched and taken), from job.json's chunkRuns.
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"per-chunk overhead ({settings.Executor}): median {Median(gaps) * 1000:F0} ms between one chunk's end and the next one's start, over {gaps.Count} chunk gaps (min {gaps.Min() * 1000:F0} ms, max {gaps.Max() * 1000:F0} ms)")));
        }

        if (worker is not null)
        {
            await worker.StopAsync(cancellationToken);
        }

        if (settings.ApiJobs > 0)
        {
            await ApiLatency.MeasureAsync(app, client, source, settings.ApiJobs, cancellationToken);
        }

        await app.StopAsync(cancellationToken);
        return 0;
    }

    /// <summary>Submits the job through the typed client, follows it, and downloads the result and job.json through their links.</summary>
    private static async Task<(JobView Job, byte[]? Png, PlanView Plan, JsonDocument? Manifest)> ThroughPipelineAsync(
        NeuralArtClient client, BlobRef source, DreamSettings dream, CancellationToken cancellationToken)
    {
        var operation = await client.StartJobAsync(
            ArtworkKinds.Dream,
            new Dictionary<string, IReadOnlyList<string>> { [EngineDescriptor.SourceRole] = [source.ToString()] },
            JsonNode.Parse(dream.ToJson())!.AsObject(),
            cancellationToken);
        var job = await operation.WaitForCompletionAsync(cancellationToken: cancellationToken);
        if (job.Status != "completed" || job.Result?.Url is not { } result || job.Manifest?.Url is not { } manifest)
        {
            return (job, null, operation.Accepted.Plan!, null);
        }

        using var download = new HttpClient();
        var png = await download.GetByteArrayAsync(result, cancellationToken);
        var record = JsonDocument.Parse(await download.GetByteArrayAsync(manifest, cancellationToken));
        return (job, png, operation.Accepted.Plan!, record);
    }

    /// <summary>Seconds between each chunk's finish and the next chunk's start (job.json's chunkRuns, in order).</summary>
    private static IEnumerable<double> ChunkGaps(JsonDocument manifest)
    {
        if (!manifest.RootElement.TryGetProperty("chunkRuns", out var runs)) yield break;
        DateTimeOffset? previousEnd = null;
        foreach (var run in runs.EnumerateArray().OrderBy(r => r.GetProperty("fromIteration").GetInt32()))
        {
            if (previousEnd is { } end)
            {
                yield return (run.GetProperty("startedAt").GetDateTimeOffset() - end).TotalSeconds;
            }

            previousEnd = run.GetProperty("finishedAt").GetDateTimeOffset();
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task<byte[]> DirectAsync(IArtworkEngine engine, byte[] image, DreamSettings dream, CancellationToken cancellationToken)
    {
        var checkpoint = await engine.StartAsync(new ArtworkInputs(image, [], dream.ToJson()), cancellationToken);
        while (!checkpoint.Progress.IsComplete)
        {
            checkpoint = await engine.RunChunkAsync(checkpoint.State, int.MaxValue, cancellationToken: cancellationToken);
        }

        return await engine.RenderAsync(checkpoint.State, RenderFormat.Png, cancellationToken: cancellationToken);
    }

    private static bool SamePixels(byte[] a, byte[] b)
    {
        using var left = Image.Load<Rgb24>(a);
        using var right = Image.Load<Rgb24>(b);
        if (left.Width != right.Width || left.Height != right.Height) return false;
        var x = new byte[left.Width * left.Height * 3];
        var y = new byte[x.Length];
        left.CopyPixelDataTo(x);
        right.CopyPixelDataTo(y);
        return x.AsSpan().SequenceEqual(y);
    }

    /// <summary>The benchmark pattern as PNG bytes.</summary>
    private static byte[] PatternPng(int side)
    {
        using var image = BenchPattern.Create(side);
        return ImageWriter.Encode(image, RenderFormat.Png);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
