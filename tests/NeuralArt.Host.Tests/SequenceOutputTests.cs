using System.Text.Json;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// A kind of engine that no pipeline file names (<see cref="FlipbookEngine"/>, outside the pipeline's
/// assembly, with its own role use, stage name and outputs) runs through the local host on Azurite:
/// the pipeline writes its frames as chunks hand them over, lets it finish its own files, and lists
/// every declared output in job.json and the job's view. If a new kind needed a pipeline change, this
/// test would fail.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SequenceOutputTests(AzuriteFixture azurite)
{
    private const int Frames = 4;
    private const int Shift = 7;

    [Fact]
    public async Task A_sequence_engine_no_pipeline_file_names_runs_through_the_local_host_with_every_output_listed()
    {
        const int width = 40, height = 24;
        var image = TestImages.Png(width, height, seed: 11);
        var source = TestImages.Decode(image).Rgb;
        await using var host = await InProcessHost.StartAsync(azurite, new FlipbookEngine(), "flip");

        // The descriptor reaches clients as declared, outputs included.
        using (var engines = JsonDocument.Parse(await host.Http.GetStringAsync("api/engines")))
        {
            var flipbook = engines.RootElement.GetProperty("engines").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == FlipbookEngine.FlipbookKind);
            Assert.Equal(["pages", "strip"], flipbook.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()!));
        }

        var upload = $"uploads/{Guid.NewGuid():N}/flip.png";
        await azurite.UploadAsync(BlobRef.Parse(upload), image);
        var id = await JobPolling.SubmitAsync(host.Http,
            $$"""{"kind":"{{FlipbookEngine.FlipbookKind}}","inputs":{"source":"{{upload}}"},"parameters":{"frames":{{Frames}},"iterations":3,"shift":{{Shift}}},"chunkBudgetSeconds":1}""");
        var stages = new HashSet<int>();
        var job = await JobPolling.WaitAsync(host.Http, id, running =>
        {
            if (running.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("stageIndex", out var s) && s.ValueKind == JsonValueKind.Number)
            {
                stages.Add(s.GetInt32());
            }
        });
        Assert.Equal("completed", job.GetProperty("status").GetString());

        // The view: no single result for a sequence; every output with its files and links.
        Assert.False(job.TryGetProperty("result", out _));
        var outputs = job.GetProperty("outputs");
        var pages = outputs.GetProperty("pages");
        Assert.Equal("frames", pages.GetProperty("kind").GetString());
        Assert.Equal(Frames, pages.GetProperty("frames").GetInt32());
        var files = pages.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(Frames, files.Count);
        using var download = new HttpClient();
        for (var k = 0; k < Frames; k++)
        {
            Assert.Equal(StorageLayout.Frame(id, k).ToString(), files[k].GetProperty("blob").GetString());
            var bytes = await download.GetByteArrayAsync(files[k].GetProperty("url").GetString());
            Assert.Equal(FlipbookEngine.ExpectedFrame(source, width, height, Shift, k), TestImages.Decode(bytes).Rgb);
        }

        var strip = outputs.GetProperty("strip");
        Assert.Equal("image", strip.GetProperty("kind").GetString());
        var stripImage = TestImages.Decode(await download.GetByteArrayAsync(strip.GetProperty("files")[0].GetProperty("url").GetString()));
        Assert.Equal((width * Frames, height), (stripImage.Width, stripImage.Height));

        // A page of jobs carries a sequence's count and first frame only, so it stays small.
        using (var list = JsonDocument.Parse(await host.Http.GetStringAsync("api/jobs?top=10")))
        {
            var listed = list.RootElement.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("id").GetString() == id).GetProperty("outputs").GetProperty("pages");
            Assert.Equal(Frames, listed.GetProperty("frames").GetInt32());
            Assert.Single(listed.GetProperty("files").EnumerateArray());
        }

        // job.json lists the same outputs.
        using var manifest = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(id)))!);
        var recorded = manifest.RootElement.GetProperty("outputs");
        Assert.Equal(Frames, recorded.GetProperty("pages").GetProperty("frames").GetInt32());
        Assert.Equal(StorageLayout.Output(id, FlipbookEngine.StripFile).ToString(), recorded.GetProperty("strip").GetProperty("files")[0].GetString());
        Assert.False(manifest.RootElement.TryGetProperty("result", out _));
    }
}
