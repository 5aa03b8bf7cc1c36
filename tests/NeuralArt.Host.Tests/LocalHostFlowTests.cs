using System.Net;
using System.Text.Json;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>The local host against a real Azurite: inbox, HTTP, progress, and bad input.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalHostFlowTests(AzuriteFixture azurite)
{
    private HostProcess Host => azurite.SharedHost;

    [Fact]
    public async Task An_image_dropped_into_the_inbox_yields_a_result_and_a_reupload_is_a_new_job()
    {
        var name = $"dream/cat-{Guid.NewGuid():N}.png";
        await azurite.UploadAsync(new BlobRef("inbox", name + ".json"), """{"phases":1,"iterations":3}"""u8.ToArray());
        var etag = await azurite.UploadAsync(new BlobRef("inbox", name), TestImages.Png());
        var jobId = JobIds.ForInboxBlob("dream", name, etag);

        // job.json is written last (it marks the job finished), after result.png and preview.jpg.
        await azurite.WaitForBlobAsync(StorageLayout.JobManifest(jobId), JobPolling.JobTimeout, () => Host.Output);
        var result = await azurite.DownloadAsync(StorageLayout.Result(jobId));
        Assert.NotNull(result);
        Assert.Equal(TestImages.Decode(TestImages.Png()).Width, TestImages.Decode(result).Width);
        var job = await JobPolling.WaitAsync(Host.Http, jobId);
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal("inbox", job.GetProperty("origin").GetString());
        Assert.Equal(3, job.GetProperty("progress").GetProperty("iteration").GetInt32());

        var etag2 = await azurite.UploadAsync(new BlobRef("inbox", name), TestImages.Png(seed: 1));
        var second = JobIds.ForInboxBlob("dream", name, etag2);
        Assert.NotEqual(jobId, second);
        await azurite.WaitForBlobAsync(StorageLayout.Result(second), JobPolling.JobTimeout, () => Host.Output);
    }

    [Fact]
    public async Task An_http_style_job_reports_rising_progress_and_its_result_link_downloads()
    {
        var style = $"starry-{Guid.NewGuid():N}";
        await azurite.UploadAsync(new BlobRef("styles", style + ".png"), TestImages.Png(seed: 5));
        var source = $"uploads/{Guid.NewGuid():N}/cat.png";
        await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png());

        using (var anonymous = new HttpClient { BaseAddress = Host.BaseAddress })
        {
            var refused = await anonymous.PostAsync("/api/jobs", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var id = await JobPolling.SubmitAsync(Host.Http,
            $$"""{"kind":"style","inputs":{"source":"{{source}}","style":"{{style}}"},"parameters":{"phases":2,"iterations":6,"delayMs":120},"chunkBudgetSeconds":1}""");
        var percents = new List<double>();
        var job = await JobPolling.WaitAsync(Host.Http, id, running =>
        {
            if (running.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Object && p.GetProperty("phase").GetString() == "running")
            {
                percents.Add(p.GetProperty("percent").GetDouble());
            }
        }, () => Host.Output);

        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.True(percents.Distinct().Count() >= 2, $"progress seen: {string.Join(", ", percents)}");
        Assert.Equal(percents.Order(), percents);
        Assert.Equal(100, job.GetProperty("progress").GetProperty("percent").GetDouble());

        var url = job.GetProperty("result").GetProperty("url").GetString()!;
        Assert.Contains("sig=", url); // a SAS link, readable without the account key
        using var plain = new HttpClient();
        var png = await plain.GetByteArrayAsync(url);
        Assert.Equal(TestImages.Decode(TestImages.Png()).Rgb.Length, TestImages.Decode(png).Rgb.Length);
    }

    public static TheoryData<string, string> BadInbox => new()
    {
        { "corrupt", "cannot be decoded" },
        { "zero-byte", "empty" },
        { "non-image", "not an image" },
        { "bomb", "the largest side allowed" },
        { "bad-sidecar", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadInbox))]
    public async Task Bad_inbox_input_fails_its_job_with_error_json_and_the_host_keeps_serving(string which, string reason)
    {
        var name = $"dream/{which}-{Guid.NewGuid():N}.png";
        var bytes = which switch
        {
            "corrupt" => TestImages.TruncatedPng(),
            "zero-byte" => [],
            "non-image" => TestImages.NotAnImage(),
            "bomb" => TestImages.DecompressionBomb(),
            _ => TestImages.Png(),
        };
        if (which == "bad-sidecar")
        {
            await azurite.UploadAsync(new BlobRef("inbox", name + ".json"), """{"iterations": 3,"""u8.ToArray());
        }

        var etag = await azurite.UploadAsync(new BlobRef("inbox", name), bytes);
        var jobId = JobIds.ForInboxBlob("dream", name, etag);

        var errorJson = await azurite.WaitForBlobAsync(StorageLayout.Error(jobId), JobPolling.JobTimeout, () => Host.Output);
        var error = JsonDocument.Parse(errorJson).RootElement;
        Assert.Contains(reason, error.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.False(error.GetProperty("retriable").GetBoolean());

        var job = await JobPolling.WaitAsync(Host.Http, jobId);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains(reason, job.GetProperty("error").GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Null(await azurite.DownloadAsync(StorageLayout.Result(jobId)));

        // Still serving: a good job after the bad one completes.
        var good = $"dream/after-{which}-{Guid.NewGuid():N}.png";
        await azurite.UploadAsync(new BlobRef("inbox", good + ".json"), """{"phases":1,"iterations":1}"""u8.ToArray());
        var goodTag = await azurite.UploadAsync(new BlobRef("inbox", good), TestImages.Png(16, 16));
        await azurite.WaitForBlobAsync(StorageLayout.Result(JobIds.ForInboxBlob("dream", good, goodTag)), JobPolling.JobTimeout, () => Host.Output);
    }
}
