using System.Text.Json;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Pipeline.Sweeps;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// Two local host processes on one Azurite and task hub share a sweep's cells (each chunk record
/// names the host that ran it); kill -9 of one mid-sweep, and the other finishes every cell with
/// the same bytes as an uninterrupted sweep.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SweepScaleOutTests(AzuriteFixture azurite)
{
    private const string HostA = "host-a";
    private const string HostB = "host-b";

    [Fact]
    public async Task Two_hosts_share_a_sweep_and_after_kill_9_of_one_the_other_finishes_every_cell_identically()
    {
        var hub = $"sweep2{Guid.NewGuid():N}"[..16];
        var source = $"uploads/{Guid.NewGuid():N}/two.png";
        await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(40, 24, seed: 5));
        var body = $$$"""{"kind":"dream","inputs":{"source":"{{{source}}}"},"parameters":{"delayMs":200},"axes":{"iterations":[5,6],"phases":[2,3]},"chunkBudgetSeconds":1}""";
        var submission = JsonSerializer.Deserialize<SweepSubmission>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        string[] Args(string runner) => ["--NeuralArt:Host:WatchInbox=false", $"--NeuralArt:Pipeline:RunnerName={runner}", "--NeuralArt:Limits:MaxRunningJobs=4"];

        await using var b = await HostProcess.StartAsync(azurite.ConnectionString, hub, Args(HostB));
        SweepAccepted accepted;
        var seen = new HashSet<string>();
        await using (var a = await HostProcess.StartAsync(azurite.ConnectionString, hub, Args(HostA)))
        {
            accepted = await JobPolling.Client(a.Http).StartSweepAsync(submission);

            // Wait until both hosts have run chunks of the sweep's cells, with cells still to finish; then kill A.
            using var cancel = new CancellationTokenSource(JobPolling.JobTimeout);
            while (!(seen.Contains(HostA) && seen.Contains(HostB)))
            {
                seen.UnionWith(await RunnersAsync(accepted.Cells.Select(c => c.JobId)));
                var sweep = await JobPolling.Client(b.Http).GetSweepAsync(accepted.Id, cancel.Token);
                Assert.True(sweep.Cells.Any(c => c.Status != "completed"), $"the sweep ended before both hosts ran a chunk (runners: {string.Join(", ", seen)})");
                await Task.Delay(100, cancel.Token);
            }

            await a.KillAsync();
        }

        using (var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            var done = await JobPolling.Client(b.Http).WaitForSweepAsync(accepted.Id, cancellationToken: cancel.Token);
            Assert.True(done.Status == "completed", $"{done.Status}: {done.Error}\n{b.Output}");
            Assert.All(done.Cells, c => Assert.Equal("completed", c.Status));
        }

        // job.json's chunk records: both hosts ran chunks of the sweep's cells.
        var recorded = new HashSet<string>();
        foreach (var cell in accepted.Cells)
        {
            using var manifest = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(cell.JobId)))!);
            recorded.UnionWith(manifest.RootElement.GetProperty("chunkRuns").EnumerateArray().Select(r => r.GetProperty("runner").GetString()!));
        }

        Assert.Contains(HostA, recorded);
        Assert.Contains(HostB, recorded);

        // The same sweep uninterrupted, on B alone: every cell has the same bytes.
        var again = await JobPolling.Client(b.Http).StartSweepAsync(submission);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            Assert.Equal("completed", (await JobPolling.Client(b.Http).WaitForSweepAsync(again.Id, cancellationToken: cancel.Token)).Status);
        }

        for (var i = 0; i < accepted.Cells.Count; i++)
        {
            Assert.Equal(
                await azurite.DownloadAsync(StorageLayout.Result(again.Cells[i].JobId)),
                await azurite.DownloadAsync(StorageLayout.Result(accepted.Cells[i].JobId)));
        }
    }

    [Fact]
    public async Task A_cell_cancelled_on_its_own_is_marked_and_the_sweep_goes_on()
    {
        var hub = $"sweepc{Guid.NewGuid():N}"[..16];
        var source = $"uploads/{Guid.NewGuid():N}/one.png";
        await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(24, 16, seed: 6));
        await using var host = await HostProcess.StartAsync(azurite.ConnectionString, hub, "--NeuralArt:Host:WatchInbox=false");
        var client = JobPolling.Client(host.Http);
        var body = $$$"""{"kind":"dream","inputs":{"source":"{{{source}}}"},"parameters":{"phases":1,"delayMs":300},"axes":{"iterations":[40,2]},"chunkBudgetSeconds":1}""";
        var accepted = await client.StartSweepAsync(JsonSerializer.Deserialize<SweepSubmission>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!);
        var slow = accepted.Cells[0].JobId;

        using (var cancel = new CancellationTokenSource(JobPolling.JobTimeout))
        {
            // The sweep view shows a cell as pending until its job exists.
            while ((await client.GetSweepAsync(accepted.Id, cancel.Token)).Cells[0].Status != "running") await Task.Delay(100, cancel.Token);
        }

        await client.CancelJobAsync(slow);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            var done = await client.WaitForSweepAsync(accepted.Id, cancellationToken: cancel.Token);
            Assert.True(done.Status == "completed", $"{done.Status}: {done.Error}");
            Assert.Equal("cancelled", done.Cells[0].Status);
            Assert.Equal("completed", done.Cells[1].Status);
        }

        using var layout = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.SweepSheetLayout(accepted.Id)))!);
        Assert.Equal(["failed", "completed"], layout.RootElement.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("status").GetString()));
    }

    /// <summary>The runners named by the chunk records written so far under <c>jobs/{cell}/runs/</c>.</summary>
    private async Task<IEnumerable<string>> RunnersAsync(IEnumerable<string> cells)
    {
        var runners = new HashSet<string>();
        var container = azurite.Blobs.GetBlobContainerClient(StorageLayout.JobsContainer);
        foreach (var cell in cells)
        {
            await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, StorageLayout.ChunkRunPrefix(cell), CancellationToken.None))
            {
                byte[]? content;
                try
                {
                    content = await azurite.DownloadAsync(new BlobRef(StorageLayout.JobsContainer, blob.Name));
                }
                catch (Azure.RequestFailedException e) when (e.Status == 404)
                {
                    // The cell finished between the listing and the read: its records went with its checkpoints.
                    continue;
                }

                if (content is null) continue;
                using var record = JsonDocument.Parse(content);
                runners.Add(record.RootElement.GetProperty("runner").GetString()!);
            }
        }

        return runners;
    }
}
