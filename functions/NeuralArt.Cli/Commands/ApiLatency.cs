using NeuralArt.Engine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Client;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;
using Spectre.Console;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>bench-pipeline --api-jobs N</c>: how long the door takes to answer a POST (refused by the plan,
/// refused at the header, accepted), and how long a list takes with N jobs in the task hub. The jobs
/// are refused inbox-style jobs (each records its failure and ends), so the hub fills quickly.
/// </summary>
internal static class ApiLatency
{
    public const int MaxJobs = 5000;
    private const int Samples = 20;
    private const int AcceptedSamples = 5;
    private const int ListSamples = 10;

    public static async Task MeasureAsync(WebApplication app, NeuralArtClient client, BlobRef source, int jobs, CancellationToken cancellationToken)
    {
        var inputs = new Dictionary<string, IReadOnlyList<string>> { [EngineDescriptor.SourceRole] = [source.ToString()] };
        var missing = new Dictionary<string, IReadOnlyList<string>> { [EngineDescriptor.SourceRole] = ["uploads/bench/missing.png"] };

        // Refused by the plan: the header is read, the parameters checked, the plan computed.
        var planRefusal = await TimeAsync(Samples, () => ExpectRefusalAsync(client, inputs, new JsonObject { ["iterations"] = 100_000 }, cancellationToken));
        var headerRefusal = await TimeAsync(Samples, () => ExpectRefusalAsync(client, missing, [], cancellationToken));
        var accepted = new List<double>();
        for (var i = 0; i < AcceptedSamples; i++)
        {
            var clock = Stopwatch.StartNew();
            var operation = await client.StartJobAsync(ArtworkKinds.Dream, inputs,
                new JsonObject { ["octaves"] = 1, ["iterations"] = 1, ["maxSize"] = 64 }, cancellationToken);
            accepted.Add(clock.Elapsed.TotalMilliseconds);
            await operation.WaitForCompletionAsync(cancellationToken: cancellationToken);
        }

        Report("POST refused by the plan (iterations over the cap)", planRefusal);
        Report("POST refused at the input (blob missing)", headerRefusal);
        Report("POST accepted (checks, plan, admission slot, orchestration start)", accepted);

        // Fill the hub with jobs the door refused (each records its failure and ends at once).
        var jobClient = app.Services.GetRequiredService<IJobClient>();
        var requests = app.Services.GetRequiredService<JobRequestFactory>();
        var fill = Stopwatch.StartNew();
        var rejected = requests.Rejected(ArtworkKinds.Dream, [new JobInput(EngineDescriptor.SourceRole, source)], JobOrigins.Http,
            new JobError("A benchmark filler job.", null, "submitted", Retriable: false));
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => await jobClient.StartAsync(string.Create(CultureInfo.InvariantCulture, $"dream-fill-{i:D6}"), rejected, ct));
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"api: {jobs:N0} jobs created in {fill.Elapsed.TotalSeconds:F1} s")));

        var first20 = await TimeAsync(ListSamples, () => client.ListJobsAsync(20, cancellationToken: cancellationToken));
        var first100 = await TimeAsync(ListSamples, () => client.ListJobsAsync(100, cancellationToken: cancellationToken));
        var walk = Stopwatch.StartNew();
        var listed = 0;
        await foreach (var _ in client.GetJobsAsync(100, cancellationToken)) listed++;
        Report($"GET /api/jobs?top=20 with {jobs:N0}+ jobs in the hub", first20);
        Report($"GET /api/jobs?top=100 with {jobs:N0}+ jobs in the hub", first100);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"api: every page (top=100) through {listed:N0} jobs: {walk.Elapsed.TotalMilliseconds:F0} ms")));
    }

    private static async Task ExpectRefusalAsync(NeuralArtClient client, IReadOnlyDictionary<string, IReadOnlyList<string>> inputs, JsonObject parameters, CancellationToken cancellationToken)
    {
        try
        {
            await client.StartJobAsync(ArtworkKinds.Dream, inputs, parameters, cancellationToken);
            throw new InvalidOperationException("The benchmark's bad request was accepted.");
        }
        catch (NeuralArtRequestException e) when ((int)e.Status == 400)
        {
            // Refused, as meant.
        }
    }

    private static async Task<List<double>> TimeAsync(int samples, Func<Task> call)
    {
        await call(); // warm-up
        var times = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var clock = Stopwatch.StartNew();
            await call();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    private static void Report(string what, List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"api: {what}: median {sorted[sorted.Length / 2]:F1} ms, min {sorted[0]:F1}, max {sorted[^1]:F1} ({sorted.Length} calls)")));
    }
}
