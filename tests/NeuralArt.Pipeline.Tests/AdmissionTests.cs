using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Inbox;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Pipeline.Tests;

/// <summary>Admission and purging on the in-process Durable host: queued inbox jobs keep their order; DELETE purges an ended job.</summary>
public sealed class AdmissionTests
{
    [Fact]
    public async Task Inbox_jobs_beyond_the_cap_wait_and_start_in_arrival_order_and_none_is_lost()
    {
        const int Jobs = 4;
        await using var harness = await OrchestrationHarness.StartAsync(limits: o =>
        {
            o.MaxRunningJobs = 1;
            o.AdmissionPollInterval = TimeSpan.FromMilliseconds(100);
        });
        var starter = harness.Services.GetRequiredService<InboxJobStarter>();

        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            var blob = new BlobRef(StorageLayout.InboxContainer, $"dream/queued-{i}.png");
            harness.Store.Put(blob, TestImages.Png(16, 16, seed: i));
            harness.Store.Put(new BlobRef(StorageLayout.InboxContainer, blob.Name + ".json"), """{"phases":1,"iterations":3,"delayMs":60}"""u8.ToArray());
            ids.Add((await starter.StartAsync(harness.Client, blob.Name, $"\"0x{i}\""))!);
        }

        var starts = new List<DateTimeOffset>();
        var ends = new List<DateTimeOffset>();
        foreach (var id in ids)
        {
            var done = await harness.WaitAsync(id);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
            using var manifest = JsonDocument.Parse(harness.Store.Get(StorageLayout.JobManifest(id)));
            var timings = manifest.RootElement.GetProperty("timings");
            starts.Add(timings.GetProperty("startedAt").GetDateTimeOffset());
            ends.Add(timings.GetProperty("completedAt").GetDateTimeOffset());
        }

        // One at a time (each starts after the one before it finished), in the order they arrived.
        for (var i = 1; i < Jobs; i++) Assert.True(starts[i] >= ends[i - 1], $"job {i} started at {starts[i]:O}, before job {i - 1} ended at {ends[i - 1]:O}");
        Assert.DoesNotContain(harness.Store.Names, n => n.StartsWith("jobs/_admission/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_purges_an_ended_job_and_refuses_a_running_one()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var api = harness.Services.GetRequiredService<JobsApi>();
        var done = harness.DreamJob(TestImages.Png(16, 16), """{"phases":1,"iterations":2}""");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await harness.RunAsync("dream-gone-1", done)).RuntimeStatus);
        Assert.Contains(harness.Store.Names, n => n.StartsWith("outputs/dream-gone-1/", StringComparison.Ordinal));

        var (status, _, _) = await JobsApiTests.InvokeAsync(ctx => api.DeleteAsync("dream-gone-1", harness.Client, default), "DELETE", "/api/jobs/dream-gone-1");
        Assert.Equal(204, status);
        Assert.DoesNotContain(harness.Store.Names, n => n.Contains("dream-gone-1", StringComparison.Ordinal));
        Assert.Null(await harness.Client.GetAsync("dream-gone-1"));
        var (again, _, _) = await JobsApiTests.InvokeAsync(ctx => api.DeleteAsync("dream-gone-1", harness.Client, default), "DELETE", "/api/jobs/dream-gone-1");
        Assert.Equal(404, again);

        var slow = harness.DreamJob(TestImages.Png(16, 16), """{"phases":1,"iterations":100,"delayMs":50}""", name: "slow.png");
        Assert.True(await harness.Client.StartAsync("dream-slow-1", slow));
        var (running, problem, _) = await JobsApiTests.InvokeAsync(ctx => api.DeleteAsync("dream-slow-1", harness.Client, default), "DELETE", "/api/jobs/dream-slow-1");
        Assert.Equal(409, running);
        Assert.Contains("cancel it first", problem.GetProperty("detail").GetString());
        await harness.Client.CancelAsync("dream-slow-1", "test over");
    }
}
