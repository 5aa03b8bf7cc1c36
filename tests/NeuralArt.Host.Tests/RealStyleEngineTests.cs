using System.Net;
using System.Text;
using System.Text.Json;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// The real style engine (ResNet-18 on the CPU) behind the local host on Azurite, with masks by
/// role: mask counts that do not match the style images are refused at the door with the role as
/// the field, a style mask that selects nothing fails its job with that field and a readable reason,
/// and a job with a style mask and a region mask completes with its inputs recorded by role.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RealStyleEngineTests(AzuriteFixture azurite)
{
    private const int Side = 48;

    private async Task<string> UploadAsync(string file, byte[] content)
    {
        var blob = $"uploads/{Guid.NewGuid():N}/{file}";
        await azurite.UploadAsync(BlobRef.Parse(blob), content);
        return blob;
    }

    private static string Inputs(string source, string[] styles, string[] styleMasks, string[]? masks = null)
    {
        static string List(IEnumerable<string> refs) => "[" + string.Join(",", refs.Select(r => $"\"{r}\"")) + "]";
        var json = $"\"source\":\"{source}\",\"style\":{List(styles)},\"{NeuralStyleEngine.StyleMaskRole}\":{List(styleMasks)}";
        if (masks is not null) json += $",\"{NeuralStyleEngine.MaskRole}\":{List(masks)}";
        return "{" + json + "}";
    }

    [Fact]
    public async Task Style_masks_by_role_are_checked_at_the_door_fail_readably_when_empty_and_run()
    {
        var parameters = new StyleSettings { Scales = [Side], Iterations = 2, Seed = 5 }.ToJson();
        using var sessions = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        var engine = new NeuralStyleEngine(new CatalogGraphSource(ModelCatalog.Locate()), sessions, new ImageLoader(new ImageLimits()));

        await using var host = await InProcessHost.StartAsync(azurite, engine, "rstyle");
        var http = host.Http;

        var source = await UploadAsync("photo.png", TestImages.Png(Side, 36, seed: 1));
        var style = await UploadAsync("painting.png", TestImages.Png(Side, Side, seed: 4));
        var otherStyle = await UploadAsync("other.png", TestImages.Png(Side, Side, seed: 7));
        var leftHalf = await UploadAsync("left.png", TestImages.MaskPng(Side, Side, (x, _) => x < Side / 2));
        var black = await UploadAsync("black.png", TestImages.MaskPng(Side, Side, (_, _) => false));
        var region = await UploadAsync("region.png", TestImages.MaskPng(Side, 36, (x, _) => x >= Side / 3));

        // Counts are known before any work: a 400 that names the role.
        foreach (var inputs in new[]
        {
            Inputs(source, [style], [leftHalf, leftHalf]),
            Inputs(source, [style, otherStyle], [leftHalf]),
        })
        {
            var response = await http.PostAsync("/api/jobs", new StringContent(
                $$"""{"kind":"style","inputs":{{inputs}},"parameters":{{parameters}}}""", Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{inputs}: {(int)response.StatusCode} {text}");
            using var problem = JsonDocument.Parse(text);
            Assert.Equal(NeuralStyleEngine.StyleMaskRole, problem.RootElement.GetProperty("field").GetString());
        }

        // What a mask selects is known only once it is decoded: the job fails with the role and a reason.
        var empty = await JobPolling.SubmitAsync(http, $$"""{"kind":"style","inputs":{{Inputs(source, [style], [black])}},"parameters":{{parameters}}}""");
        var failed = await JobPolling.WaitAsync(http, empty);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var error = failed.GetProperty("error");
        Assert.Equal(NeuralStyleEngine.StyleMaskRole, error.GetProperty("field").GetString());
        Assert.Contains("black everywhere", error.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Two styles, each with its own style mask and a region mask: it runs, and job.json keeps the inputs by role.
        var id = await JobPolling.SubmitAsync(http,
            $$"""{"kind":"style","inputs":{{Inputs(source, [style, otherStyle], [leftHalf, leftHalf], [region, region])}},"parameters":{{parameters}}}""");
        var job = await JobPolling.WaitAsync(http, id);
        Assert.Equal("completed", job.GetProperty("status").GetString());
        using var manifest = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(id)))!);
        var recorded = manifest.RootElement.GetProperty("inputs");
        Assert.Equal([leftHalf, leftHalf], recorded.GetProperty(NeuralStyleEngine.StyleMaskRole).EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal([region, region], recorded.GetProperty(NeuralStyleEngine.MaskRole).EnumerateArray().Select(e => e.GetString()!));
        var result = TestImages.Decode((await azurite.DownloadAsync(StorageLayout.Result(id)))!);
        Assert.Equal((Side, 36), (result.Width, result.Height));
    }
}
