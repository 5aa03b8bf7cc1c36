using NeuralArt.Pipeline.Activities;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Pipeline.Inbox;
using System.Text.Json;
using Microsoft.DurableTask.Client;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Pipeline.Tests;

public sealed class OrchestrationTests
{
    private const string TwoPhases = """{"phases":2,"iterations":5}""";

    [Fact]
    public async Task A_job_completes_with_the_same_pixels_as_a_direct_run()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var image = TestImages.Png();
        var result = await harness.RunAsync("dream-direct-1", harness.DreamJob(image, TwoPhases));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        var outcome = result.ReadOutputAs<JobOutcome>()!;
        Assert.Equal(StorageLayout.Result("dream-direct-1"), outcome.Result);
        Assert.Equal(10, outcome.Iterations);
        Assert.True(outcome.Chunks >= 3, $"expected a first measuring chunk and one per phase, got {outcome.Chunks}");

        var expected = await DirectRunAsync(image, TwoPhases);
        Assert.Equal(TestImages.Decode(expected).Rgb, TestImages.Decode(harness.Store.Get(outcome.Result!.Value)).Rgb);
        Assert.True(harness.Store.Exists(StorageLayout.Preview("dream-direct-1")));

        var manifest = JsonSerializer.Deserialize<JobManifest>(harness.Store.Get(StorageLayout.JobManifest("dream-direct-1")))!;
        Assert.Equal("dream", manifest.Kind);
        Assert.Equal(10, manifest.Iterations);
        Assert.Equal(5, manifest.Parameters!["iterations"]!.GetValue<int>());
        Assert.Contains("BlurEngine", manifest.Engine.Type);
        AssertChunkRunsCover(manifest, outcome.Chunks, harness.Options.RunnerName);
        Assert.DoesNotContain(harness.Store.Names, n => n.StartsWith("jobs/", StringComparison.Ordinal));
    }

    /// <summary>job.json records every chunk once, back to back from iteration 0 to the end, each by this process and in time order.</summary>
    private static void AssertChunkRunsCover(JobManifest manifest, int chunks, string runner)
    {
        Assert.Equal(chunks, manifest.ChunkRuns.Count);
        var expectedFrom = 0;
        foreach (var run in manifest.ChunkRuns)
        {
            Assert.Equal(expectedFrom, run.FromIteration);
            Assert.True(run.ToIteration > run.FromIteration, $"chunk from {run.FromIteration} ran no iteration");
            Assert.Equal(runner, run.Runner);
            Assert.True(run.FinishedAt >= run.StartedAt);
            Assert.InRange(run.StartedAt, manifest.Timings.StartedAt, manifest.Timings.CompletedAt);
            expectedFrom = run.ToIteration;
        }

        Assert.Equal(manifest.Iterations, expectedFrom);
    }

    [Fact]
    public async Task A_long_job_continues_as_new_and_still_gives_the_same_pixels()
    {
        await using var harness = await OrchestrationHarness.StartAsync(limits: o => o.ChunksPerGeneration = 2);
        var image = TestImages.Png(16, 16);
        const string Parameters = """{"phases":2,"iterations":12,"delayMs":25}""";
        var result = await harness.RunAsync("dream-generations-1", harness.DreamJob(image, Parameters, budgetSeconds: 0.1));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        var outcome = result.ReadOutputAs<JobOutcome>()!;
        Assert.Equal(24, outcome.Iterations);
        Assert.True(outcome.Chunks > 2 * 2, $"expected several generations of 2 chunks, got {outcome.Chunks} chunks");
        Assert.Equal(outcome.Chunks, harness.Dream.ChunkCalls);
        // The last generation started from where the one before it stopped (its input carries the resume point).
        Assert.NotNull(result.ReadInputAs<JobRequest>()!.Resume);
        AssertChunkRunsCover(JsonSerializer.Deserialize<JobManifest>(harness.Store.Get(StorageLayout.JobManifest("dream-generations-1")))!, outcome.Chunks, harness.Options.RunnerName);
        var expected = await DirectRunAsync(image, Parameters);
        Assert.Equal(TestImages.Decode(expected).Rgb, TestImages.Decode(harness.Store.Get(outcome.Result!.Value)).Rgb);
    }

    [Fact]
    public async Task A_chunk_that_keeps_stopping_its_worker_fails_the_job_instead_of_running_forever()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var prepare = harness.Services.GetRequiredService<PrepareArtworkActivity>();
        var runChunk = harness.Services.GetRequiredService<RunChunkActivity>();
        var request = harness.DreamJob(TestImages.Png(16, 16), """{"phases":1,"iterations":4}""");
        var prepared = await prepare.ExecuteAsync(new PrepareInput("dream-crash-1", request), default);
        var input = new RunChunkInput("dream-crash-1", request.Kind, prepared.Checkpoint!.Value, 2) { MaxAttempts = 3 };

        // Each start of the chunk is counted before it runs: a worker killed mid-chunk leaves its count behind.
        var checkpoints = harness.Services.GetRequiredService<CheckpointStore>();
        CheckpointStore.TryGetKey(input.From, out var from);
        for (var i = 0; i < input.MaxAttempts; i++) await checkpoints.RecordAttemptAsync("dream-crash-1", from, default);

        var outcome = await runChunk.ExecuteAsync(input, default);
        Assert.NotNull(outcome.Error);
        Assert.Contains("never finished", outcome.Error.Reason);
        Assert.False(outcome.Error.Retriable);
        Assert.Equal(0, harness.Dream.ChunkCalls);
    }

    [Fact]
    public async Task Chunks_follow_the_time_budget_measured_on_the_first_chunk()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        // 24 iterations of ~25 ms against a 0.25 s budget: about 8 per chunk after the first.
        var request = harness.DreamJob(TestImages.Png(16, 16), """{"phases":1,"iterations":24,"delayMs":25}""", budgetSeconds: 0.25);
        var result = await harness.RunAsync("dream-budget-1", request);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        var chunks = result.ReadOutputAs<JobOutcome>()!.Chunks;
        Assert.InRange(chunks, 3, 12);
        Assert.Equal(chunks, harness.Dream.ChunkCalls);
    }

    [Fact]
    public async Task A_retried_chunk_resumes_from_the_checkpoint_its_failed_attempt_wrote()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var image = TestImages.Png();
        var previewWrites = 0;
        harness.Store.BeforeWrite = blob =>
        {
            // The second chunk dies after its checkpoint is durable, before it can report back.
            if (blob.Name.EndsWith(StorageLayout.PreviewFileName, StringComparison.Ordinal) && Interlocked.Increment(ref previewWrites) == 2)
            {
                throw new IOException("injected: storage went away after the checkpoint was written");
            }
        };

        var result = await harness.RunAsync("dream-resume-1", harness.DreamJob(image, TwoPhases));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(10, harness.Dream.IterationsComputed); // no iteration was computed twice
        var expected = await DirectRunAsync(image, TwoPhases);
        Assert.Equal(TestImages.Decode(expected).Rgb, TestImages.Decode(harness.Store.Get(StorageLayout.Result("dream-resume-1"))).Rgb);
    }

    [Fact]
    public async Task A_transient_engine_fault_is_retried_and_the_job_completes()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        harness.Dream.BeforeChunk = call =>
        {
            if (call == 2)
            {
                throw new TimeoutException("injected: the device timed out");
            }
        };

        var result = await harness.RunAsync("dream-transient-1", harness.DreamJob(TestImages.Png(), TwoPhases));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(result.ReadOutputAs<JobOutcome>()!.Chunks + 1, harness.Dream.ChunkCalls);
    }

    [Fact]
    public async Task A_fault_that_outlasts_the_retries_fails_the_job_with_error_json()
    {
        await using var harness = await OrchestrationHarness.StartAsync(o => o.ActivityMaxAttempts = 2);
        harness.Dream.BeforeChunk = _ => throw new InvalidOperationException("injected: the engine is broken");

        var result = await harness.RunAsync("dream-broken-1", harness.DreamJob(TestImages.Png(), TwoPhases));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Equal(2, harness.Dream.ChunkCalls);
        var error = ReadError(harness, "dream-broken-1");
        Assert.Contains("injected: the engine is broken", error.Reason);
        Assert.Equal(JobPhases.Running, error.Phase);
        Assert.True(error.Retriable);
        Assert.Contains("injected: the engine is broken", result.FailureDetails!.ErrorMessage);
        var status = result.ReadCustomStatusAs<JobStatus>()!;
        Assert.Equal(JobPhases.Failed, status.Phase);
        Assert.DoesNotContain(harness.Store.Names, n => n.StartsWith("jobs/", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string, int> BadInputs => new()
    {
        { "zero-byte", "source", "empty", 0 },
        { "not-an-image", "source", "not an image", 0 },
        { "bomb", "source", "the largest side allowed", 0 },
        { "truncated", "source", "cannot be decoded", 1 },
        { "bad-parameter", "iterations", "iterations must be", 1 },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_fails_at_once_with_a_readable_reason_and_is_not_retried(string which, string field, string reasonPart, int engineStarts)
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var (bytes, parameters) = which switch
        {
            "zero-byte" => (Array.Empty<byte>(), "{}"),
            "not-an-image" => (TestImages.NotAnImage(), "{}"),
            "bomb" => (TestImages.DecompressionBomb(), "{}"),
            "truncated" => (TestImages.TruncatedPng(), "{}"),
            _ => (TestImages.Png(), """{"iterations":-3}"""),
        };
        var jobId = $"dream-{which}-1";

        var result = await harness.RunAsync(jobId, harness.DreamJob(bytes, parameters));

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        var error = ReadError(harness, jobId);
        Assert.Equal(field, error.Field);
        Assert.Contains(reasonPart, error.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.False(error.Retriable);
        Assert.Equal(engineStarts, harness.Dream.StartCalls); // once at most: never retried
        Assert.Contains(reasonPart, result.FailureDetails!.ErrorMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_sidecar_names_further_inputs_by_role_but_not_the_ones_the_path_gives()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var starter = harness.Services.GetRequiredService<InboxJobStarter>();
        harness.Store.Put(new BlobRef(StorageLayout.StylesContainer, "starry.png"), TestImages.Png(16, 16, seed: 4));
        harness.Store.Put(new BlobRef(StorageLayout.UploadsContainer, "mask.png"), TestImages.Png(16, 16, seed: 5));
        var source = new BlobRef(StorageLayout.InboxContainer, "style/starry/cat.png");
        harness.Store.Put(source, TestImages.Png(16, 16));
        var sidecar = new BlobRef(StorageLayout.InboxContainer, source.Name + ".json");

        harness.Store.Put(sidecar, """{"inputs":{"mask":["uploads/mask.png"]},"phases":1,"iterations":2}"""u8.ToArray());
        var good = (await starter.StartAsync(harness.Client, source.Name, "\"0x1\""))!;
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await harness.WaitAsync(good)).RuntimeStatus);
        var manifest = JsonSerializer.Deserialize<JobManifest>(harness.Store.Get(StorageLayout.JobManifest(good)))!;
        Assert.Equal("uploads/mask.png", Assert.Single(manifest.Inputs["mask"]).ToString());
        Assert.Equal("styles/starry.png", Assert.Single(manifest.Inputs["style"]).ToString());
        Assert.False(manifest.Parameters!.AsObject().ContainsKey("inputs"));

        harness.Store.Put(sidecar, """{"inputs":{"source":"uploads/mask.png"}}"""u8.ToArray());
        var bad = (await starter.StartAsync(harness.Client, source.Name, "\"0x2\""))!;
        Assert.Equal(OrchestrationRuntimeStatus.Failed, (await harness.WaitAsync(bad)).RuntimeStatus);
        Assert.Equal("source", ReadError(harness, bad).Field);
    }

    [Fact]
    public async Task A_sidecar_overrides_parameters_and_a_malformed_one_fails_the_job()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var starter = harness.Services.GetRequiredService<InboxJobStarter>();
        var source = new BlobRef(StorageLayout.InboxContainer, "dream/cat.png");
        harness.Store.Put(source, TestImages.Png());

        var sidecar = new BlobRef(StorageLayout.InboxContainer, "dream/cat.png.json");
        harness.Store.Put(sidecar, """{"phases":1,"iterations":3}"""u8.ToArray());
        var good = await starter.StartAsync(harness.Client, source.Name, "\"0x1\"");
        var done = await harness.WaitAsync(good!);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal(3, done.ReadOutputAs<JobOutcome>()!.Iterations);

        harness.Store.Put(sidecar, """{"phases": 1, "iterations": """u8.ToArray());
        var bad = await starter.StartAsync(harness.Client, source.Name, "\"0x2\"");
        var failed = await harness.WaitAsync(bad!);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, failed.RuntimeStatus);
        var error = ReadError(harness, bad!);
        Assert.Equal("sidecar", error.Field);
        Assert.Contains("not valid JSON", error.Reason);
    }

    [Fact]
    public async Task Progress_rises_while_the_job_runs()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var request = harness.DreamJob(TestImages.Png(16, 16), """{"phases":3,"iterations":6,"delayMs":40}""", budgetSeconds: 0.2);
        Assert.True(await harness.Client.StartAsync("dream-progress-1", request));

        var seen = new List<double>();
        using var cancel = new CancellationTokenSource(OrchestrationHarness.Timeout);
        OrchestrationMetadata? metadata;
        do
        {
            await Task.Delay(50, cancel.Token);
            metadata = await harness.DurableClient.GetInstanceAsync("dream-progress-1", getInputsAndOutputs: true, cancel.Token);
            if (metadata?.ReadCustomStatusAs<JobStatus>() is { Phase: JobPhases.Running } status)
            {
                seen.Add(status.Percent);
                Assert.Equal("phase", status.Stage);
                Assert.Equal(3, status.StageCount);
            }
        }
        while (metadata is null || !metadata.IsCompleted);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.True(seen.Distinct().Count() >= 2, $"progress seen: {string.Join(", ", seen)}");
        Assert.Equal(seen.Order(), seen);
        var final = metadata.ReadCustomStatusAs<JobStatus>()!;
        Assert.Equal(JobPhases.Completed, final.Phase);
        Assert.Equal(100, final.Percent);
        Assert.Equal(StorageLayout.Result("dream-progress-1"), final.Result);
    }

    [Fact]
    public async Task Starting_the_same_job_twice_starts_it_once()
    {
        await using var harness = await OrchestrationHarness.StartAsync();
        var request = harness.DreamJob(TestImages.Png(), TwoPhases);
        Assert.True(await harness.Client.StartAsync("dream-twice-1", request));
        Assert.False(await harness.Client.StartAsync("dream-twice-1", request));
        using var cancel = new CancellationTokenSource(OrchestrationHarness.Timeout);
        await harness.DurableClient.WaitForInstanceCompletionAsync("dream-twice-1", cancel.Token);
        Assert.False(await harness.Client.StartAsync("dream-twice-1", request));
        Assert.Equal(1, harness.Dream.StartCalls);
    }

    internal static JobErrorManifest ReadError(OrchestrationHarness harness, string jobId)
    {
        var blob = StorageLayout.Error(jobId);
        Assert.True(harness.Store.Exists(blob), $"{blob} was not written");
        return JsonSerializer.Deserialize<JobErrorManifest>(harness.Store.Get(blob))!;
    }

    /// <summary>The same render without the pipeline: one engine call per phase.</summary>
    internal static async Task<byte[]> DirectRunAsync(byte[] image, string parameters)
    {
        var engine = new BlurEngine();
        var checkpoint = await engine.StartAsync(new ArtworkInputs(image, [], parameters));
        while (!checkpoint.Progress.IsComplete)
        {
            checkpoint = await engine.RunChunkAsync(checkpoint.State, int.MaxValue);
        }

        return await engine.RenderAsync(checkpoint.State, RenderFormat.Png);
    }
}
