using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Pipeline.Sweeps;
using NeuralArt.Testing;

namespace NeuralArt.Pipeline.Tests;

/// <summary>Sweeps on the in-process Durable host with the blur engines: the door's answers, fan-out and fan-in, a failed cell, the sheet, cancel and delete.</summary>
public sealed class SweepTests
{
    private const string Style = "\"kind\":\"style\",\"inputs\":{\"source\":\"uploads/cat.png\",\"style\":\"starry\"}";

    /// <summary>Each class of bad axes, the status and the field the refusal names.</summary>
    public static TheoryData<string, int, string> BadSweeps => new()
    {
        { "{" + Style + "}", 400, "axes" },
        { "{" + Style + ""","axes":{}}""", 400, "axes" },
        { "{" + Style + ""","axes":[1]}""", 400, "axes" },
        { "{" + Style + ""","axes":{"strength":[1,2]}}""", 400, "axes.strength" },
        { "{" + Style + ""","axes":{"iterations":[]}}""", 400, "axes.iterations" },
        { "{" + Style + ""","axes":{"iterations":3}}""", 400, "axes.iterations" },
        { "{" + Style + ""","axes":{"iterations":[2,0]}}""", 400, "axes.iterations" },
        { "{" + Style + ""","axes":{"iterations":[2,"x"]}}""", 400, "axes.iterations" },
        { "{" + Style + ""","axes":{"iterations":[2,2]}}""", 400, "axes.iterations" },
        { "{" + Style + ""","axes":{"iterations":[2,null]}}""", 400, "axes.iterations" },
        { "{" + Style + ""","parameters":{"iterations":2},"axes":{"iterations":[1,2]}}""", 400, "axes.iterations" },
        { "{" + Style + ""","parameters":{"phases":99},"axes":{"iterations":[1,2]}}""", 400, "phases" },
        // Five by five is 25 cells, one more than the cap of 24.
        { "{" + Style + ""","axes":{"iterations":[1,2,3,4,5],"delayMs":[0,1,2,3,4]}}""", 413, "axes" },
        // Each cell passes the cap of one job (MaxMultiplyAdds) but together they pass the sweep's.
        { "{" + Style + ""","axes":{"iterations":[1000,2000,3000]}}""", 413, "multiplyAdds" },
        { """{"kind":"style","inputs":{"source":"uploads/cat.png"},"axes":{"iterations":[1,2]}}""", 400, "style" },
    };

    [Theory]
    [MemberData(nameof(BadSweeps))]
    public async Task Bad_axes_are_refused_naming_the_axis(string body, int status, string field)
    {
        await using var harness = await StartAsync(limits: o => o.MaxSweepMultiplyAdds = 2e8);
        var api = harness.Services.GetRequiredService<SweepsApi>();

        var (answer, json, _) = await JobsApiTests.InvokeAsync(ctx => api.SubmitAsync(ctx.Request, harness.Client, default), "POST", "/api/sweeps", body);

        Assert.Equal(status, answer);
        Assert.Equal(field, json.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()));
        if (status == 413) Assert.True(json.GetProperty("cost").EnumerateObject().First().Value.GetDouble() > json.GetProperty("cap").EnumerateObject().First().Value.GetDouble());
    }

    [Fact]
    public async Task A_refused_value_names_the_axis_and_the_value()
    {
        await using var harness = await StartAsync();
        var api = harness.Services.GetRequiredService<SweepsApi>();

        var (status, json, _) = await JobsApiTests.InvokeAsync(ctx => api.SubmitAsync(ctx.Request, harness.Client, default), "POST", "/api/sweeps",
            "{" + Style + ""","axes":{"iterations":[2,20000]}}""");

        Assert.Equal(400, status);
        Assert.Equal("axes.iterations", json.GetProperty("field").GetString());
        Assert.Contains("20000", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_sweep_runs_each_cell_as_a_job_within_the_running_cap_and_draws_a_labelled_sheet()
    {
        await using var harness = await StartAsync(limits: o => o.MaxRunningJobs = 2);
        var api = harness.Services.GetRequiredService<SweepsApi>();
        var jobs = harness.Services.GetRequiredService<JobsApi>();

        var (status, accepted, _) = await JobsApiTests.InvokeAsync(ctx => api.SubmitAsync(ctx.Request, harness.Client, default), "POST", "/api/sweeps",
            "{" + Style + ""","parameters":{"phases":1},"axes":{"iterations":[1,2],"delayMs":[0,20]}}""");
        Assert.Equal(202, status);
        var sweepId = accepted.GetProperty("id").GetString()!;
        var cells = accepted.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("jobId").GetString()!).ToList();
        Assert.Equal(4, cells.Count);
        Assert.Equal("2", accepted.GetProperty("cells")[1].GetProperty("values").GetProperty("iterations").GetString());

        var done = await harness.WaitAsync(sweepId);
        Assert.Equal(Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);

        var (getStatus, view, _) = await JobsApiTests.InvokeAsync(ctx => api.GetAsync(ctx.Request, sweepId, harness.Client, default), "GET", $"/api/sweeps/{sweepId}");
        Assert.Equal(200, getStatus);
        Assert.Equal("completed", view.GetProperty("status").GetString());
        Assert.All(view.GetProperty("cells").EnumerateArray(), c => Assert.Equal("completed", c.GetProperty("status").GetString()));
        Assert.Equal("outputs/" + sweepId + "/sheet.png", view.GetProperty("sheet").GetProperty("blob").GetString());

        // Each cell is an ordinary job: its job.json names the sweep, the jobs API serves it, and it ran no earlier than a slot allowed.
        var spans = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var cell in cells)
        {
            using var manifest = JsonDocument.Parse(harness.Store.Get(StorageLayout.JobManifest(cell))!);
            Assert.Equal(sweepId, manifest.RootElement.GetProperty("sweep").GetString());
            var timings = manifest.RootElement.GetProperty("timings");
            spans.Add((timings.GetProperty("startedAt").GetDateTimeOffset(), timings.GetProperty("completedAt").GetDateTimeOffset()));
            var (jobStatus, job, _) = await JobsApiTests.InvokeAsync(ctx => jobs.GetAsync(ctx.Request, cell, harness.Client, default), "GET", $"/api/jobs/{cell}");
            Assert.Equal(200, jobStatus);
            Assert.Equal(sweepId, job.GetProperty("sweep").GetString());
        }

        Assert.True(spans.Max(s => spans.Count(o => o.Start <= s.Start && s.Start < o.End)) <= 2, "more than 2 cells ran at once");

        // The sweep is not a job.
        var (asJob, _, _) = await JobsApiTests.InvokeAsync(ctx => jobs.GetAsync(ctx.Request, sweepId, harness.Client, default), "GET", $"/api/jobs/{sweepId}");
        Assert.Equal(404, asJob);

        using var layout = JsonDocument.Parse(harness.Store.Get(StorageLayout.SweepSheetLayout(sweepId))!);
        SheetAssert.EveryLabelHasInk(harness.Store.Get(StorageLayout.SweepSheet(sweepId))!, layout.RootElement, expectedCells: 4);
    }

    [Fact]
    public async Task A_failed_cell_is_marked_and_does_not_fail_the_others()
    {
        await using var harness = await StartAsync();
        // The first chunk any cell runs fails its job (bad input is not retried); the other cells go on.
        harness.Style.BeforeChunk = call => { if (call == 1) throw new InvalidArtworkInputException("Injected failure.", "source"); };
        var api = harness.Services.GetRequiredService<SweepsApi>();

        var (_, accepted, _) = await JobsApiTests.InvokeAsync(ctx => api.SubmitAsync(ctx.Request, harness.Client, default), "POST", "/api/sweeps",
            "{" + Style + ""","parameters":{"phases":1},"axes":{"iterations":[1,2,3]}}""");
        var sweepId = accepted.GetProperty("id").GetString()!;
        await harness.WaitAsync(sweepId);

        var (_, view, _) = await JobsApiTests.InvokeAsync(ctx => api.GetAsync(ctx.Request, sweepId, harness.Client, default), "GET", $"/api/sweeps/{sweepId}");
        var statuses = view.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("status").GetString()).ToList();
        Assert.Equal(1, statuses.Count(s => s == "failed"));
        Assert.Equal(2, statuses.Count(s => s == "completed"));
        Assert.Equal("completed", view.GetProperty("status").GetString());
        using var layout = JsonDocument.Parse(harness.Store.Get(StorageLayout.SweepSheetLayout(sweepId))!);
        Assert.Equal(1, layout.RootElement.GetProperty("cells").EnumerateArray().Count(c => c.GetProperty("status").GetString() == "failed"));
        SheetAssert.EveryLabelHasInk(harness.Store.Get(StorageLayout.SweepSheet(sweepId))!, layout.RootElement, expectedCells: 3);
    }

    [Fact]
    public async Task Cancel_ends_every_cell_and_delete_purges_them()
    {
        await using var harness = await StartAsync(limits: o => o.MaxRunningJobs = 1);
        var api = harness.Services.GetRequiredService<SweepsApi>();

        var (_, accepted, _) = await JobsApiTests.InvokeAsync(ctx => api.SubmitAsync(ctx.Request, harness.Client, default), "POST", "/api/sweeps",
            "{" + Style + ""","parameters":{"iterations":50,"delayMs":200},"axes":{"phases":[1,2,3]}}""");
        var sweepId = accepted.GetProperty("id").GetString()!;
        var cells = accepted.GetProperty("cells").EnumerateArray().Select(c => c.GetProperty("jobId").GetString()!).ToList();
        await WaitUntilAsync(async () => await harness.Client.GetAsync(cells[0]) is { Status: JobRuntimeStatus.Running });

        var (busy, _, _) = await JobsApiTests.InvokeAsync(ctx => api.DeleteAsync(sweepId, harness.Client, default), "DELETE", $"/api/sweeps/{sweepId}");
        Assert.Equal(409, busy);
        var (cancelled, _, _) = await JobsApiTests.InvokeAsync(ctx => api.CancelAsync(ctx.Request, sweepId, harness.Client, default), "POST", $"/api/sweeps/{sweepId}/cancel");
        Assert.Equal(202, cancelled);
        await WaitUntilAsync(async () =>
        {
            foreach (var id in cells.Append(sweepId))
            {
                if (await harness.Client.GetAsync(id) is { Status: JobRuntimeStatus.Pending or JobRuntimeStatus.Running }) return false;
            }

            return true;
        });

        var (deleted, _, _) = await JobsApiTests.InvokeAsync(ctx => api.DeleteAsync(sweepId, harness.Client, default), "DELETE", $"/api/sweeps/{sweepId}");
        Assert.Equal(204, deleted);
        foreach (var id in cells.Append(sweepId))
        {
            Assert.Null(await harness.Client.GetAsync(id));
        }

        var (gone, _, _) = await JobsApiTests.InvokeAsync(ctx => api.GetAsync(ctx.Request, sweepId, harness.Client, default), "GET", $"/api/sweeps/{sweepId}");
        Assert.Equal(404, gone);
    }

    private static async Task<OrchestrationHarness> StartAsync(Action<JobLimitsOptions>? limits = null)
    {
        var harness = await OrchestrationHarness.StartAsync(limits: o =>
        {
            o.AdmissionPollInterval = TimeSpan.FromMilliseconds(100);
            limits?.Invoke(o);
        });
        harness.Store.Put(new BlobRef("uploads", "cat.png"), TestImages.Png());
        harness.Store.Put(new BlobRef("styles", "starry.jpg"), TestImages.Png(seed: 3));
        return harness;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var cancel = new CancellationTokenSource(OrchestrationHarness.Timeout);
        while (!await condition())
        {
            await Task.Delay(50, cancel.Token);
        }
    }
}

/// <summary>Checks on a drawn contact sheet: every cell's label strip has dark pixels (the text rendered).</summary>
internal static class SheetAssert
{
    public static void EveryLabelHasInk(byte[] png, JsonElement layout, int expectedCells)
    {
        var sheet = SheetInk.Read(png, layout);
        Assert.Equal(layout.GetProperty("width").GetInt32(), sheet.Width);
        Assert.Equal(expectedCells, sheet.Cells);
        Assert.Empty(sheet.CellsWithoutInk);
    }
}
