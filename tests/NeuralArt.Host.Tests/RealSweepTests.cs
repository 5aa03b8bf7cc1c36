using System.Text.Json;
using NeuralArt.Contract;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Pipeline.Sweeps;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// Sweeps with the real engines (ResNet-18 on the CPU) through the local host on Azurite: a 2x2
/// style sweep and a 3-seed dream sweep complete with every cell labelled on the sheet and each
/// cell's result.png byte-identical to the same parameters submitted as a single job; six cells
/// under a running cap of 2 all complete, none refused, never more than 2 running at once.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RealSweepTests(AzuriteFixture azurite)
{
    private const int Side = 48;

    [Fact]
    public async Task A_2x2_style_sweep_completes_with_a_labelled_sheet_and_cells_identical_to_single_jobs()
    {
        using var sessions = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        var engine = new NeuralStyleEngine(new CatalogGraphSource(ModelCatalog.Locate()), sessions, new ImageLoader(new ImageLimits()));
        await using var host = await InProcessHost.StartAsync(azurite, engine, "sweepstyle");
        var source = await UploadAsync("photo.png", TestImages.Png(Side, 36, seed: 1));
        var style = await UploadAsync("painting.png", TestImages.Png(Side, Side, seed: 4));
        var inputs = $$"""{"source":"{{source}}","style":"{{style}}"}""";

        var sweep = await RunSweepAsync(host.Http, $$$"""{"kind":"style","inputs":{{{inputs}}},"parameters":{"scales":[{{{Side}}}],"iterations":2},"axes":{"styleWeight":[1e4,1e6],"seed":[1,2]}}""");

        Assert.Equal(4, sweep.Cells.Count);
        Assert.Equal(["styleWeight", "seed"], sweep.Axes.Select(a => a.Name));
        await AssertCellsAreSingleJobsAsync(host.Http, "style", inputs, sweep);
    }

    [Fact]
    public async Task A_3_seed_dream_sweep_completes_with_a_labelled_sheet_and_cells_identical_to_single_jobs()
    {
        using var sessions = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        var engine = new DeepDreamEngine(new CatalogGraphSource(ModelCatalog.Locate()), sessions, new ImageLoader(new ImageLimits()));
        await using var host = await InProcessHost.StartAsync(azurite, engine, "sweepdream");
        var source = await UploadAsync("dream.png", TestImages.Png(64, 48, seed: 2));
        var inputs = $$"""{"source":"{{source}}"}""";

        var sweep = await RunSweepAsync(host.Http, $$$"""{"kind":"dream","inputs":{{{inputs}}},"parameters":{"octaves":2,"iterations":2,"maxSize":64,"tileSize":64},"axes":{"seed":[1,2,3]}}""");

        Assert.Equal(3, sweep.Cells.Count);
        await AssertCellsAreSingleJobsAsync(host.Http, "dream", inputs, sweep);
        // Different seeds jitter differently: the cells differ from each other.
        var results = new List<byte[]>();
        foreach (var cell in sweep.Cells) results.Add((await azurite.DownloadAsync(StorageLayout.Result(cell.JobId)))!);
        Assert.Equal(3, results.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public async Task Six_cells_under_a_running_cap_of_2_all_complete_none_refused_never_more_than_2_at_once()
    {
        using var sessions = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        var engine = new DeepDreamEngine(new CatalogGraphSource(ModelCatalog.Locate()), sessions, new ImageLoader(new ImageLimits()));
        await using var host = await InProcessHost.StartAsync(azurite, engine, "sweepcap",
            "--NeuralArt:Limits:MaxRunningJobs=2", "--NeuralArt:Limits:AdmissionPollInterval=00:00:01");
        var source = await UploadAsync("cap.png", TestImages.Png(48, 48, seed: 3));

        var sweep = await RunSweepAsync(host.Http,
            $$$"""{"kind":"dream","inputs":{"source":"{{{source}}}"},"parameters":{"octaves":1,"iterations":2,"maxSize":48,"tileSize":64},"axes":{"seed":[1,2,3,4,5,6]}}""");

        Assert.Equal(6, sweep.Cells.Count);
        // Two views of when each cell ran: the job's own timings (admitted to finalized) and its
        // chunk records (first chunk's start to last chunk's finish, as the activities measured them).
        var jobSpans = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        var chunkSpans = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var cell in sweep.Cells)
        {
            using var manifest = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(cell.JobId)))!);
            var timings = manifest.RootElement.GetProperty("timings");
            jobSpans.Add((timings.GetProperty("startedAt").GetDateTimeOffset(), timings.GetProperty("completedAt").GetDateTimeOffset()));
            var runs = manifest.RootElement.GetProperty("chunkRuns").EnumerateArray().ToList();
            Assert.NotEmpty(runs);
            chunkSpans.Add((runs.Min(r => r.GetProperty("startedAt").GetDateTimeOffset()), runs.Max(r => r.GetProperty("finishedAt").GetDateTimeOffset())));
        }

        foreach (var spans in new[] { jobSpans, chunkSpans })
        {
            // At each cell's start, the cells running then (itself included): never more than the cap.
            var mostAtOnce = spans.Max(s => spans.Count(o => o.Start <= s.Start && s.Start < o.End));
            Assert.True(mostAtOnce <= 2, $"{mostAtOnce} cells ran at once: {string.Join("; ", spans.Select(s => $"{s.Start:HH:mm:ss.fff}-{s.End:HH:mm:ss.fff}"))}");
        }
    }

    /// <summary>Starts the sweep, waits for it, and checks that every cell completed and the sheet labels every cell.</summary>
    private async Task<SweepView> RunSweepAsync(HttpClient http, string body)
    {
        var client = JobPolling.Client(http);
        var accepted = await client.StartSweepAsync(JsonSerializer.Deserialize<SweepSubmission>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!);
        using var cancel = new CancellationTokenSource(SweepTimeout);
        var sweep = await client.WaitForSweepAsync(accepted.Id, cancellationToken: cancel.Token);
        Assert.Equal("completed", sweep.Status);
        Assert.All(sweep.Cells, c => Assert.Equal("completed", c.Status));
        Assert.NotNull(sweep.Sheet);

        using var layout = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.SweepSheetLayout(accepted.Id)))!);
        var ink = SheetInk.Read((await azurite.DownloadAsync(StorageLayout.SweepSheet(accepted.Id)))!, layout.RootElement);
        Assert.Equal(sweep.Cells.Count, ink.Cells);
        Assert.Empty(ink.CellsWithoutInk);
        return sweep;
    }

    /// <summary>Each cell's job.json names the sweep, and its parameters submitted as a single job give the same result.png, byte for byte.</summary>
    private async Task AssertCellsAreSingleJobsAsync(HttpClient http, string kind, string inputs, SweepView sweep)
    {
        foreach (var cell in sweep.Cells)
        {
            using var manifest = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(cell.JobId)))!);
            Assert.Equal(sweep.Id, manifest.RootElement.GetProperty("sweep").GetString());
            var parameters = manifest.RootElement.GetProperty("parameters");
            foreach (var (axis, value) in cell.Values)
            {
                Assert.Equal(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture), parameters.GetProperty(axis).GetDouble());
            }

            var single = await JobPolling.SubmitAsync(http, $$"""{"kind":"{{kind}}","inputs":{{inputs}},"parameters":{{parameters.GetRawText()}}}""");
            Assert.Equal("completed", (await JobPolling.WaitAsync(http, single)).GetProperty("status").GetString());
            Assert.Equal(
                await azurite.DownloadAsync(StorageLayout.Result(single)),
                await azurite.DownloadAsync(StorageLayout.Result(cell.JobId)));
        }
    }

    private static readonly TimeSpan SweepTimeout = TimeSpan.FromMinutes(4);

    private async Task<string> UploadAsync(string file, byte[] content)
    {
        var blob = $"uploads/{Guid.NewGuid():N}/{file}";
        await azurite.UploadAsync(BlobRef.Parse(blob), content);
        return blob;
    }
}
