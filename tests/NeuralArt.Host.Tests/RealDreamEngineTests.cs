using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// The real DeepDream engine (ResNet-18 on the CPU) through the local host on Azurite: a small image
/// and a few iterations, chunked into several activities, gives the same pixels as a direct run.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RealDreamEngineTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_real_deepdream_through_the_local_host_equals_the_direct_run()
    {
        var parameters = new DreamSettings { Octaves = 2, Iterations = 3, MaxSize = 96, TileSize = 96, Seed = 42 }.ToJson();
        using var sessions = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        var engine = new DeepDreamEngine(new CatalogGraphSource(ModelCatalog.Locate()), sessions, new ImageLoader(new ImageLimits()));
        var image = TestImages.Png(96, 80, seed: 2);

        await using var host = await InProcessHost.StartAsync(azurite, engine, "real");
        var http = host.Http;

        var source = $"uploads/{Guid.NewGuid():N}/real.png";
        await azurite.UploadAsync(BlobRef.Parse(source), image);
        // A tiny budget so that each octave is cut into several chunks (activities and checkpoints).
        var id = await JobPolling.SubmitAsync(http, $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{parameters}},"chunkBudgetSeconds":1}""");
        var job = await JobPolling.WaitAsync(http, id);
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.True(job.GetProperty("progress").GetProperty("chunks").GetInt32() >= 2);

        var checkpoint = await engine.StartAsync(new ArtworkInputs(image, [], parameters));
        while (!checkpoint.Progress.IsComplete)
        {
            checkpoint = await engine.RunChunkAsync(checkpoint.State, int.MaxValue);
        }

        var expected = TestImages.Decode(await engine.RenderAsync(checkpoint.State, RenderFormat.Png));
        var actual = TestImages.Decode((await azurite.DownloadAsync(StorageLayout.Result(id)))!);
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Rgb, actual.Rgb);

        // job.json names the model and the execution provider the engine ran on.
        using var manifest = System.Text.Json.JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(id)))!);
        var engineRecord = manifest.RootElement.GetProperty("engine");
        Assert.Equal("resnet18", engineRecord.GetProperty("model").GetString());
        Assert.Equal(nameof(ExecutionDevice.Cpu), engineRecord.GetProperty("provider").GetString());

        // No seed given: the door draws one and job.json records it with every other effective
        // parameter; submitting those parameters again reproduces the pixels bit for bit.
        var unseeded = new DreamSettings { Octaves = 2, Iterations = 3, MaxSize = 96, TileSize = 96 }.ToJson();
        var first = await JobPolling.SubmitAsync(http, $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{unseeded}}}""");
        Assert.Equal("completed", (await JobPolling.WaitAsync(http, first)).GetProperty("status").GetString());
        using var recorded = System.Text.Json.JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(first)))!);
        var effective = recorded.RootElement.GetProperty("parameters");
        Assert.True(effective.GetProperty("seed").GetInt64() >= 0);
        Assert.Equal("layer3:1", effective.GetProperty("layers").GetString());
        var again = await JobPolling.SubmitAsync(http, $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{effective.GetRawText()}}}""");
        Assert.Equal("completed", (await JobPolling.WaitAsync(http, again)).GetProperty("status").GetString());
        Assert.Equal(
            TestImages.Decode((await azurite.DownloadAsync(StorageLayout.Result(first)))!).Rgb,
            TestImages.Decode((await azurite.DownloadAsync(StorageLayout.Result(again)))!).Rgb);
    }
}
