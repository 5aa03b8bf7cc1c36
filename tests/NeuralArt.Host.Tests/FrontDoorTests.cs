using System.Net;
using System.Text;
using System.Text.Json;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// The door against the real local host on Azurite: every class of bad request gets its status and
/// field while the host keeps serving; the running cap holds under a burst of POSTs; an odd inbox
/// name leaves the listing working; a job past its deadline fails and leaves no checkpoint.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FrontDoorTests(AzuriteFixture azurite)
{
    private HostProcess Host => azurite.SharedHost;

    private async Task<string> UploadAsync(string file, byte[] content)
    {
        var blob = $"uploads/{Guid.NewGuid():N}/{file}";
        await azurite.UploadAsync(BlobRef.Parse(blob), content);
        return blob;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(HttpClient http, string json)
    {
        var response = await http.PostAsync("/api/jobs", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    /// <summary>
    /// One bad request per row: its body, with <c>{good}</c>, <c>{empty}</c>, <c>{text}</c>, <c>{bomb}</c>
    /// and <c>{long}</c> standing for inputs the test uploads (or names) first, the field the 400 names,
    /// and words of its detail that tell which check refused it (several checks name <c>source</c>).
    /// </summary>
    private static readonly Dictionary<string, (string Body, string Field, string Reason)> BadRequests = new()
    {
        ["not JSON"] = ("{not json", "body", "not a valid job"),
        ["unknown kind"] = ("""{"kind":"mosaic","inputs":{"source":"{good}"}}""", "kind", "is unknown"),
        ["parameter out of range"] = ("""{"kind":"dream","inputs":{"source":"{good}"},"parameters":{"iterations":-1}}""", "iterations", "must be from 1 to"),
        ["unknown parameter"] = ("""{"kind":"dream","inputs":{"source":"{good}"},"parameters":{"colour":"red"}}""", "colour", "no parameter 'colour'"),
        ["chunk budget over half the function timeout"] = ("""{"kind":"dream","inputs":{"source":"{good}"},"chunkBudgetSeconds":3600}""", "chunkBudgetSeconds", "half of this host's"),
        ["input from a container jobs may not read"] = ("""{"kind":"dream","inputs":{"source":"outputs/x/result.png"}}""", "source", "are read from the containers"),
        ["input with a dot segment"] = ("""{"kind":"dream","inputs":{"source":"uploads/../jobs/x.png"}}""", "source", "no empty or dot segments"),
        ["input reference too long"] = ("""{"kind":"dream","inputs":{"source":"{long}"}}""", "source", "characters long"),
        ["input that does not exist"] = ("""{"kind":"dream","inputs":{"source":"uploads/nothing-here.png"}}""", "source", "does not exist"),
        ["empty input"] = ("""{"kind":"dream","inputs":{"source":"{empty}"}}""", "source", "is empty"),
        ["input that is not an image"] = ("""{"kind":"dream","inputs":{"source":"{text}"}}""", "source", "not an image this tool reads"),
        ["decompression bomb"] = ("""{"kind":"dream","inputs":{"source":"{bomb}"}}""", "source", "the largest side allowed"),
        ["style name with a control character"] = ("""{"kind":"style","inputs":{"source":"{good}","style":"bad\u0001name"}}""", "style", "control character"),
        ["style transfer without a style"] = ("""{"kind":"style","inputs":{"source":"{good}"}}""", "style", "'style' input(s); got 0"),
    };

    public static TheoryData<string> BadRequestNames => new(BadRequests.Keys);

    /// <summary>The row's body with its placeholders replaced by inputs uploaded for this case.</summary>
    private async Task<string> BadRequestBodyAsync(string name)
    {
        var body = BadRequests[name].Body;
        (string Placeholder, Func<Task<string>> Upload)[] inputs =
        [
            ("{good}", () => UploadAsync("cat.png", TestImages.Png(32, 24))),
            ("{empty}", () => UploadAsync("empty.png", [])),
            ("{text}", () => UploadAsync("text.png", TestImages.NotAnImage())),
            ("{bomb}", () => UploadAsync("bomb.png", TestImages.DecompressionBomb())),
            ("{long}", () => Task.FromResult("uploads/" + new string('a', JobDoor.MaxReferenceLength) + ".png")),
        ];
        foreach (var (placeholder, upload) in inputs)
        {
            if (body.Contains(placeholder, StringComparison.Ordinal))
            {
                body = body.Replace(placeholder, await upload(), StringComparison.Ordinal);
            }
        }

        return body;
    }

    [Theory]
    [MemberData(nameof(BadRequestNames))]
    public async Task A_bad_request_gets_400_naming_its_field_without_server_details(string name)
    {
        var body = await BadRequestBodyAsync(name);

        var (status, problem, _) = await PostAsync(Host.Http, body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{body}: {(int)status} {problem}");
        Assert.Equal(BadRequests[name].Field, problem.GetProperty("field").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(BadRequests[name].Reason, detail, StringComparison.Ordinal);
        Assert.DoesNotContain("/work/", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_every_bad_request_the_host_serves_a_good_job_and_a_cut_off_file_fails_its_job()
    {
        foreach (var name in BadRequests.Keys)
        {
            var (status, _, _) = await PostAsync(Host.Http, await BadRequestBodyAsync(name));
            Assert.Equal(HttpStatusCode.BadRequest, status);
        }

        // A file whose header is sound but whose pixels are cut off can only be found out by decoding:
        // it passes the door and fails its job with the reason, without a retry.
        var corrupt = await UploadAsync("corrupt.png", TestImages.TruncatedPng());
        var truncated = await JobPolling.SubmitAsync(Host.Http, $$$"""{"kind":"dream","inputs":{"source":"{{{corrupt}}}"}}""");
        var failed = await JobPolling.WaitAsync(Host.Http, truncated, diagnostics: () => Host.Output);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("source", failed.GetProperty("error").GetProperty("field").GetString());

        var good = await UploadAsync("cat.png", TestImages.Png(32, 24));
        var id = await JobPolling.SubmitAsync(Host.Http, $$$"""{"kind":"dream","inputs":{"source":"{{{good}}}"},"parameters":{"phases":1,"iterations":2}}""");
        Assert.Equal("completed", (await JobPolling.WaitAsync(Host.Http, id, diagnostics: () => Host.Output)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_job_over_the_cost_cap_gets_413_with_the_cost_and_the_cap()
    {
        await using var host = await HostProcess.StartAsync(azurite.ConnectionString, $"cap{Guid.NewGuid():N}"[..16],
            "--NeuralArt:Host:WatchInbox=false", "--NeuralArt:Limits:MaxMultiplyAdds=100000");
        var source = await UploadAsync("cat.png", TestImages.Png(32, 24));

        // 27 multiply-adds per pixel-iteration x 768 pixels x 2 x 4 iterations = 165,888 > 100,000.
        var (status, problem, _) = await PostAsync(host.Http, $$$"""{"kind":"dream","inputs":{"source":"{{{source}}}"},"parameters":{"phases":2,"iterations":4}}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("multiplyAdds", problem.GetProperty("field").GetString());
        Assert.Equal(BlurEngine.MacsPerPixelIteration * 32 * 24 * 2 * 4, problem.GetProperty("cost").GetProperty("multiplyAdds").GetDouble());
        Assert.Equal(100_000, problem.GetProperty("cap").GetProperty("multiplyAdds").GetDouble());

        // A request may lower the work, and then it fits.
        var id = await JobPolling.SubmitAsync(host.Http, $$$"""{"kind":"dream","inputs":{"source":"{{{source}}}"},"parameters":{"phases":1,"iterations":4}}""");
        Assert.Equal("completed", (await JobPolling.WaitAsync(host.Http, id, diagnostics: () => host.Output)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Sixty_simultaneous_posts_keep_the_running_cap_the_rest_get_429_and_every_accepted_job_completes_once()
    {
        const int Cap = 3;
        const int Posts = 60;
        await using var host = await HostProcess.StartAsync(azurite.ConnectionString, $"burst{Guid.NewGuid():N}"[..16],
            "--NeuralArt:Host:WatchInbox=false", $"--NeuralArt:Limits:MaxRunningJobs={Cap}");
        var source = await UploadAsync("cat.png", TestImages.Png(16, 16));
        var body = $$$"""{"kind":"dream","inputs":{"source":"{{{source}}}"},"parameters":{"phases":1,"iterations":3,"delayMs":100}}""";

        var responses = await Task.WhenAll(Enumerable.Range(0, Posts).Select(_ => PostAsync(host.Http, body)));
        var accepted = responses.Where(r => r.Status == HttpStatusCode.Accepted).Select(r => r.Body.GetProperty("id").GetString()!).ToList();
        var busy = responses.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(Posts, accepted.Count + busy.Count);
        Assert.NotEmpty(busy);
        Assert.All(busy, r => Assert.NotNull(r.Response.Headers.RetryAfter?.Delta));
        Assert.InRange(accepted.Count, 1, Posts - 1);
        Assert.Equal(accepted.Count, accepted.Distinct().Count());

        var runs = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var id in accepted)
        {
            var job = await JobPolling.WaitAsync(host.Http, id, diagnostics: () => host.Output);
            Assert.Equal("completed", job.GetProperty("status").GetString());
            using var manifest = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(id)))!);
            var timings = manifest.RootElement.GetProperty("timings");
            runs.Add((timings.GetProperty("startedAt").GetDateTimeOffset(), timings.GetProperty("completedAt").GetDateTimeOffset()));
            Assert.Equal(3, manifest.RootElement.GetProperty("iterations").GetInt32());
        }

        // Never more than the cap at once: a job holds its slot from before it starts to after it completes.
        var most = runs.Max(r => runs.Count(o => o.Start < r.End && r.Start < o.End && o.Start <= r.Start));
        Assert.InRange(most, 1, Cap);

        // Each accepted job is listed once, and the slots are all free again.
        var listed = new List<string>();
        await foreach (var view in JobPolling.Client(host.Http).GetJobsAsync(pageSize: 7)) listed.Add(view.Id);
        Assert.All(accepted, id => Assert.Single(listed, id));
        var slots = azurite.Blobs.GetBlobContainerClient(StorageLayout.JobsContainer).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, AdmissionControl.SlotsPrefix, CancellationToken.None);
        await foreach (var slot in slots) Assert.Fail($"Slot {slot.Name} is still held.");
    }

    [Fact]
    public async Task A_poisoned_inbox_name_leaves_the_listing_working()
    {
        var name = "dream/" + new string('x', 1000) + ".png";
        var etag = await azurite.UploadAsync(new BlobRef(StorageLayout.InboxContainer, name), TestImages.Png(16, 16));
        var jobId = JobIds.ForInboxBlob("dream", name, etag);
        await azurite.WaitForBlobAsync(StorageLayout.JobManifest(jobId), JobPolling.JobTimeout, () => Host.Output);

        using var response = await Host.Http.GetAsync("/api/jobs?top=100");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(page.GetProperty("jobs").GetArrayLength() > 0);
        // job.json is written by the last activity; the orchestration completes a moment later.
        var job = await JobPolling.WaitAsync(Host.Http, jobId, diagnostics: () => Host.Output);
        Assert.Equal("completed", job.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_job_past_its_deadline_fails_naming_the_deadline_and_leaves_no_checkpoint()
    {
        await using var host = await HostProcess.StartAsync(azurite.ConnectionString, $"late{Guid.NewGuid():N}"[..16],
            "--NeuralArt:Host:WatchInbox=false", "--NeuralArt:Limits:JobDeadline=00:00:02");
        var source = await UploadAsync("cat.png", TestImages.Png(16, 16));
        var id = await JobPolling.SubmitAsync(host.Http,
            $$$"""{"kind":"dream","inputs":{"source":"{{{source}}}"},"parameters":{"phases":1,"iterations":40,"delayMs":250},"chunkBudgetSeconds":1}""");

        var job = await JobPolling.WaitAsync(host.Http, id, diagnostics: () => host.Output);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Equal("deadline", job.GetProperty("error").GetProperty("field").GetString());
        using var error = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.Error(id)))!);
        Assert.Equal("deadline", error.RootElement.GetProperty("field").GetString());
        var left = azurite.Blobs.GetBlobContainerClient(StorageLayout.JobsContainer).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, id + "/", CancellationToken.None);
        await foreach (var blob in left) Assert.Fail($"{blob.Name} was left behind.");
    }
}
