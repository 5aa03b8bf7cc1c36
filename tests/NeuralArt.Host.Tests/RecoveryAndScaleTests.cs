using NeuralArt.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>Crash recovery and several jobs and hosts at once, each on a task hub of its own.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RecoveryAndScaleTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_job_survives_kill_9_of_its_host_and_matches_an_uninterrupted_run()
    {
        const string parameters = """{"phases":2,"iterations":8,"delayMs":250}""";
        var hub = $"kill{Guid.NewGuid():N}"[..16];
        var image = TestImages.Png(40, 24, seed: 7);
        var source = $"uploads/{Guid.NewGuid():N}/kill.png";
        await azurite.UploadAsync(BlobRef.Parse(source), image);

        string id;
        await using (var first = await HostProcess.StartAsync(azurite.ConnectionString, hub, "--NeuralArt:Host:WatchInbox=false"))
        {
            id = await JobPolling.SubmitAsync(first.Http, $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{parameters}},"chunkBudgetSeconds":1}""");

            // Kill it in the middle: some chunks done, more to go.
            using var cancel = new CancellationTokenSource(JobPolling.JobTimeout);
            while (true)
            {
                var job = await JobPolling.GetAsync(first.Http, id);
                var iteration = job.TryGetProperty("progress", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.Object ? p.GetProperty("iteration").GetInt32() : 0;
                Assert.NotEqual("completed", job.GetProperty("status").GetString());
                if (iteration >= 3)
                {
                    break;
                }

                await Task.Delay(100, cancel.Token);
            }

            await first.KillAsync();
        }

        await using var second = await HostProcess.StartAsync(azurite.ConnectionString, hub, "--NeuralArt:Host:WatchInbox=false");
        var done = await JobPolling.WaitAsync(second.Http, id, diagnostics: () => second.Output);
        Assert.Equal("completed", done.GetProperty("status").GetString());

        var result = await azurite.DownloadAsync(StorageLayout.Result(id));
        Assert.NotNull(result);
        var expected = await DirectRunAsync(image, parameters);
        Assert.Equal(TestImages.Decode(expected).Rgb, TestImages.Decode(result).Rgb);
    }

    [Fact]
    public async Task Ten_jobs_at_once_on_two_hosts_each_complete_exactly_once()
    {
        const int jobs = 10;
        const int iterationsPerJob = 4;
        var hub = $"ten{Guid.NewGuid():N}"[..16];
        var engines = new[] { new BlurEngine(), new BlurEngine() };
        var hosts = new List<WebApplication>();
        try
        {
            foreach (var engine in engines)
            {
                var port = Azurite.FreePort();
                var args = HostProcess.FastRecoveryArguments(azurite.ConnectionString, hub)
                    .Append($"--NeuralArt:Host:Url=http://127.0.0.1:{port}")
                    .Append("--NeuralArt:Host:WatchInbox=false")
                    .Append($"--NeuralArt:Limits:MaxRunningJobs={jobs}")
                    .ToArray();
                var app = LocalHost.Build(args, (services, configuration) => services.AddImageInputs(configuration).AddSingleton<IArtworkEngine>(engine));
                await app.StartAsync();
                hosts.Add(app);
            }

            var clients = hosts.Select(h => new HttpClient { BaseAddress = new Uri(h.Urls.Single()) }).ToArray();
            foreach (var client in clients)
            {
                client.DefaultRequestHeaders.Add("x-functions-key", HostProcess.Key);
            }

            var sources = new List<string>();
            for (var i = 0; i < jobs; i++)
            {
                var source = $"uploads/{Guid.NewGuid():N}/ten-{i}.png";
                await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(24, 24, seed: i));
                sources.Add(source);
            }

            var ids = await Task.WhenAll(sources.Select((source, i) => JobPolling.SubmitAsync(
                clients[i % clients.Length], $$$"""{"kind":"dream","inputs":{"source":"{{{source}}}"},"parameters":{"phases":2,"iterations":2}}""")));
            Assert.Equal(jobs, ids.Distinct().Count());

            var finished = await Task.WhenAll(ids.Select(id => JobPolling.WaitAsync(clients[0], id)));
            Assert.All(finished, job => Assert.Equal("completed", job.GetProperty("status").GetString()));
            foreach (var id in ids)
            {
                Assert.NotNull(await azurite.DownloadAsync(StorageLayout.Result(id)));
            }

            // Exactly once: every job prepared once and every iteration computed once, across both hosts.
            Assert.Equal(jobs, engines.Sum(e => e.StartCalls));
            Assert.Equal(jobs * iterationsPerJob, engines.Sum(e => e.IterationsComputed));

            // Shared: activities come from one work-item queue that both hosts poll.
            Assert.All(engines, e => Assert.True(e.ChunkCalls > 0, "a host ran no chunk"));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                await host.DisposeAsync();
            }
        }
    }

    private static async Task<byte[]> DirectRunAsync(byte[] image, string parameters)
    {
        var engine = new BlurEngine();
        var checkpoint = await engine.StartAsync(new ArtworkInputs(image, [], parameters));
        while (!checkpoint.Progress.IsComplete)
        {
            checkpoint = await engine.RunChunkAsync(checkpoint.State, int.MaxValue);
        }

        return await engine.RenderAsync(checkpoint.State, RenderFormat.Png);
    }
}
