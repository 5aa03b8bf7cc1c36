using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Pipeline.Tests;

public sealed class JobsApiTests
{
    private static readonly IServiceProvider ResultServices = new ServiceCollection().AddLogging().BuildServiceProvider();

    /// <summary>Every class of request the door refuses, and the field its 400 names.</summary>
    public static TheoryData<string, string> InvalidBodies => new()
    {
        { "", "body" },
        { "not json", "body" },
        { "[1,2]", "body" },
        { """{"inputs":{"source":"uploads/cat.png"}}""", "kind" },
        { """{"kind":"mosaic","inputs":{"source":"uploads/cat.png"}}""", "kind" },
        { """{"kind":"dream"}""", "source" },
        { """{"kind":"dream","inputs":{"source":"cat.png"}}""", "source" },
        { """{"kind":"dream","inputs":{"source":"outputs/x/result.png"}}""", "source" },
        { """{"kind":"dream","inputs":{"source":"uploads/../inbox/x.png"}}""", "source" },
        { """{"kind":"dream","inputs":{"source":"uploads/a\u0007b.png"}}""", "source" },
        { """{"kind":"dream","inputs":{"source":"uploads/missing.png"}}""", "source" },
        { """{"kind":"dream","inputs":{"source":"uploads/empty.png"}}""", "source" },
        { """{"kind":"dream","inputs":{"source":"uploads/not-an-image.png"}}""", "source" },
        { """{"kind":"dream","inputs":{"source":["uploads/cat.png","uploads/cat.png"]}}""", "source" },
        { """{"kind":"dream","inputs":{"source":42}}""", "source" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png","style":"starry"}}""", "style" },
        { """{"kind":"style","inputs":{"source":"uploads/cat.png"}}""", "style" },
        { """{"kind":"style","inputs":{"source":"uploads/cat.png","style":"nowhere"}}""", "style" },
        { """{"kind":"style","inputs":{"source":"uploads/cat.png","style":"bad\u0001name"}}""", "style" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"parameters":[1]}""", "parameters" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"parameters":{"iterations":-1}}""", "iterations" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"parameters":{"iterations":2.5}}""", "iterations" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"parameters":{"iterations":"9"}}""", "iterations" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"parameters":{"model":"/tmp/x"}}""", "model" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"chunkBudgetSeconds":0}""", "chunkBudgetSeconds" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"chunkBudgetSeconds":3600}""", "chunkBudgetSeconds" },
        { """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"colour":"red"}""", "colour" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_submissions_get_400_naming_the_field(string body, string field)
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        harness.Store.Put(new BlobRef("uploads", "cat.png"), TestImages.Png());
        harness.Store.Put(new BlobRef("uploads", "empty.png"), []);
        harness.Store.Put(new BlobRef("uploads", "not-an-image.png"), "hello, not a picture"u8.ToArray());
        var api = harness.Services.GetRequiredService<JobsApi>();

        var (status, json, _) = await InvokeAsync(ctx => api.SubmitAsync(ctx.Request, harness.Client, default), "POST", "/api/jobs", body);

        Assert.Equal(400, status);
        Assert.Equal(field, json.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_submitted_job_is_accepted_followed_listed_and_cannot_be_cancelled_once_done()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        harness.Store.Put(new BlobRef("uploads", "cat.png"), TestImages.Png());
        harness.Store.Put(new BlobRef("styles", "starry.jpg"), TestImages.Png(seed: 3));
        var api = harness.Services.GetRequiredService<JobsApi>();

        var (status, accepted, headers) = await InvokeAsync(
            ctx => api.SubmitAsync(ctx.Request, harness.Client, default), "POST", "/api/jobs",
            """{"kind":"style","inputs":{"source":"uploads/cat.png","style":"starry"},"parameters":{"phases":1,"iterations":3}}""");
        Assert.Equal(202, status);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.StartsWith("style-cat-", id);
        Assert.Equal($"http://localhost/api/jobs/{id}", headers.Location);
        Assert.Equal($"http://localhost/api/jobs/{id}/cancel", accepted.GetProperty("cancelPostUri").GetString());

        JsonElement job;
        using var cancel = new CancellationTokenSource(OrchestrationHarness.Timeout);
        do
        {
            await Task.Delay(50, cancel.Token);
            (status, job, _) = await InvokeAsync(ctx => api.GetAsync(ctx.Request, id, harness.Client, default), "GET", $"/api/jobs/{id}");
            // Durable HTTP conventions: 202 while it runs, 200 once it ended.
            Assert.Equal(job.GetProperty("status").GetString() is "pending" or "running" ? 202 : 200, status);
        }
        while (job.GetProperty("status").GetString() is "pending" or "running");

        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal("styles/starry.jpg", job.GetProperty("inputs").GetProperty("style")[0].GetString());
        Assert.Equal($"outputs/{id}/result.png", job.GetProperty("result").GetProperty("blob").GetString());
        Assert.Equal($"memory://outputs/{id}/result.png", job.GetProperty("result").GetProperty("url").GetString());
        Assert.Equal("phase", job.GetProperty("progress").GetProperty("stage").GetString());
        Assert.True(accepted.GetProperty("plan").GetProperty("cost").GetProperty("multiplyAdds").GetDouble() > 0);

        var (_, list, _) = await InvokeAsync(ctx => api.ListAsync(ctx.Request, harness.Client, default), "GET", "/api/jobs");
        Assert.Contains(list.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);

        var (cancelStatus, _, _) = await InvokeAsync(ctx => api.CancelAsync(ctx.Request, id, harness.Client, default), "POST", $"/api/jobs/{id}/cancel");
        Assert.Equal(409, cancelStatus);
        var (missing, problem, _) = await InvokeAsync(ctx => api.GetAsync(ctx.Request, "dream-nope-1", harness.Client, default), "GET", "/api/jobs/dream-nope-1");
        Assert.Equal(404, missing);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_running_job_can_be_cancelled()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        harness.Store.Put(new BlobRef("uploads", "cat.png"), TestImages.Png(16, 16));
        var api = harness.Services.GetRequiredService<JobsApi>();
        var (_, accepted, _) = await InvokeAsync(
            ctx => api.SubmitAsync(ctx.Request, harness.Client, default), "POST", "/api/jobs",
            """{"kind":"dream","inputs":{"source":"uploads/cat.png"},"parameters":{"phases":1,"iterations":200,"delayMs":50}}""");
        var id = accepted.GetProperty("id").GetString()!;
        var checkpointPrefix = $"{StorageLayout.JobsContainer}/{StorageLayout.CheckpointPrefix(id)}";
        string[] Checkpoints() => harness.Store.Names.Where(n => n.StartsWith(checkpointPrefix, StringComparison.Ordinal)).ToArray();

        using var cancel = new CancellationTokenSource(OrchestrationHarness.Timeout);
        while (Checkpoints().Length == 0) await Task.Delay(20, cancel.Token);
        var beforeCancel = Checkpoints();

        var (status, _, _) = await InvokeAsync(ctx => api.CancelAsync(ctx.Request, id, harness.Client, default), "POST", $"/api/jobs/{id}/cancel");
        Assert.Equal(202, status);
        var done = await harness.DurableClient.WaitForInstanceCompletionAsync(id, cancel.Token);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Terminated, done.RuntimeStatus);
        var (_, job, _) = await InvokeAsync(ctx => api.GetAsync(ctx.Request, id, harness.Client, default), "GET", $"/api/jobs/{id}");
        Assert.Equal("cancelled", job.GetProperty("status").GetString());
        // The checkpoints written before the cancel are gone (a chunk in flight may still add one).
        Assert.Empty(beforeCancel.Intersect(Checkpoints()));
    }

    internal static async Task<(int Status, JsonElement Json, IHeaderDictionary Headers)> InvokeAsync(
        Func<HttpContext, Task<IResult>> handler, string method, string path, string? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = ResultServices };
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = path;
        if (path.Contains('?'))
        {
            context.Request.Path = path[..path.IndexOf('?')];
            context.Request.QueryString = new QueryString(path[path.IndexOf('?')..]);
        }

        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body ?? string.Empty));
        var responseBody = new MemoryStream();
        context.Response.Body = responseBody;

        var result = await handler(context);
        await result.ExecuteAsync(context);
        var text = Encoding.UTF8.GetString(responseBody.ToArray());
        var json = string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (context.Response.StatusCode, json, context.Response.Headers);
    }
}
