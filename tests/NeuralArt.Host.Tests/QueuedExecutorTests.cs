using Azure.Storage.Queues;
using NeuralArt.Pipeline.Chunks;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// The queued executor (issue 22) end to end: a local host with <c>--executor queued</c> and chunk
/// worker processes on one Azurite, each test on a task hub and chunk queues of its own. Results are
/// compared with the same jobs run in-process by the shared host.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueuedExecutorTests(AzuriteFixture azurite)
{
    /// <summary>Several chunks per job (budget 1 s), each iteration slow enough to be caught in the middle.</summary>
    private const string Parameters = """{"phases":2,"iterations":4,"delayMs":150}""";

    /// <summary>A job of one chunk or two.</summary>
    private const string Quick = """{"phases":1,"iterations":3}""";

    [Fact]
    public async Task Two_workers_run_four_dream_and_style_jobs_byte_identical_to_in_process()
    {
        await using var rig = await Rig.StartAsync(azurite);
        await using var first = await rig.StartWorkerAsync("worker-one");
        await using var second = await rig.StartWorkerAsync("worker-two");

        var style = $"queued-{Guid.NewGuid():N}";
        await azurite.UploadAsync(new BlobRef("styles", style + ".png"), TestImages.Png(seed: 11));
        var bodies = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var source = $"uploads/{Guid.NewGuid():N}/queued-{i}.png";
            await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(32, 24, seed: 20 + i));
            bodies.Add(i % 2 == 0
                ? $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{Parameters}},"chunkBudgetSeconds":1}"""
                : $$"""{"kind":"style","inputs":{"source":"{{source}}","style":"{{style}}"},"parameters":{{Parameters}},"chunkBudgetSeconds":1}""");
        }

        var queued = await Task.WhenAll(bodies.Select(body => JobPolling.SubmitAsync(rig.Host.Http, body)));
        var done = await Task.WhenAll(queued.Select(id => JobPolling.WaitAsync(rig.Host.Http, id, diagnostics: rig.Diagnostics)));
        Assert.All(done, job => Assert.Equal("completed", job.GetProperty("status").GetString()));

        // The same jobs in-process, once the queued ones have freed their admission slots (shared by the account).
        var inProcess = await Task.WhenAll(bodies.Select(body => JobPolling.SubmitAsync(azurite.SharedHost.Http, body)));
        await Task.WhenAll(inProcess.Select(id => JobPolling.WaitAsync(azurite.SharedHost.Http, id)));

        for (var i = 0; i < queued.Length; i++)
        {
            var expected = await azurite.DownloadAsync(StorageLayout.Result(inProcess[i]));
            var actual = await azurite.DownloadAsync(StorageLayout.Result(queued[i]));
            Assert.NotNull(expected);
            Assert.Equal(expected, actual);
        }

        // Each chunk's worker is recorded in job.json, and chunks ran on both workers.
        var runners = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in queued)
        {
            using var manifest = System.Text.Json.JsonDocument.Parse(await azurite.DownloadAsync(StorageLayout.JobManifest(id)) ?? throw new InvalidOperationException($"{id} has no job.json"));
            var runs = manifest.RootElement.GetProperty("chunkRuns").EnumerateArray().Select(r => r.GetProperty("runner").GetString()!).ToList();
            Assert.NotEmpty(runs);
            Assert.All(runs, runner => Assert.Contains(runner, new[] { "worker-one", "worker-two" }));
            runners.UnionWith(runs);
        }

        Assert.Equal(["worker-one", "worker-two"], runners.Order());
        // The host heard of each worker's results.
        Assert.Contains("Worker worker-one runs chunk", first.Output, StringComparison.Ordinal);
        Assert.Contains("Worker worker-two runs chunk", second.Output, StringComparison.Ordinal);
        Assert.Contains("reported by worker worker-one", rig.Host.Output, StringComparison.Ordinal);
        Assert.Contains("reported by worker worker-two", rig.Host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_9_of_a_worker_mid_chunk_hands_the_chunk_to_another_and_the_result_is_identical()
    {
        const string slow = """{"phases":1,"iterations":6,"delayMs":600}""";
        await using var rig = await Rig.StartAsync(azurite);
        var source = $"uploads/{Guid.NewGuid():N}/kill.png";
        await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(32, 24, seed: 3));
        var body = $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{slow}},"chunkBudgetSeconds":2}""";
        var id = await JobPolling.SubmitAsync(rig.Host.Http, body);

        await using (var doomed = await rig.StartWorkerAsync("doomed"))
        {
            // Chunk 2 runs at least two 600 ms iterations: killed as soon as it starts, it dies mid-way.
            await doomed.WaitForOutputAsync($"runs chunk 2 of job {id}", JobPolling.JobTimeout);
            await doomed.KillAsync();
        }

        await using var rescuer = await rig.StartWorkerAsync("rescuer");
        var done = await JobPolling.WaitAsync(rig.Host.Http, id, diagnostics: rig.Diagnostics);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        // The killed worker's message came back (its second delivery) and the other worker ran it.
        Assert.Contains($"Worker rescuer runs chunk 2 of job {id} (dispatch 1, delivery 2)", rescuer.Output, StringComparison.Ordinal);

        var reference = await JobPolling.SubmitAsync(azurite.SharedHost.Http, body);
        await JobPolling.WaitAsync(azurite.SharedHost.Http, reference);
        Assert.Equal(await azurite.DownloadAsync(StorageLayout.Result(reference)), await azurite.DownloadAsync(StorageLayout.Result(id)));
    }

    [Fact]
    public async Task A_job_waits_queued_until_a_worker_starts_then_finishes()
    {
        await using var rig = await Rig.StartAsync(azurite);
        var source = $"uploads/{Guid.NewGuid():N}/wait.png";
        await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(24, 24, seed: 5));
        var id = await JobPolling.SubmitAsync(rig.Host.Http, $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{Quick}}}""");

        // No worker: the first chunk's message waits on the queue and the job stays running.
        await rig.WaitForQueuedChunksAsync(1);
        var waiting = await JobPolling.GetAsync(rig.Host.Http, id);
        Assert.Equal("running", waiting.GetProperty("status").GetString());

        await using var late = await rig.StartWorkerAsync("late");
        var done = await JobPolling.WaitAsync(rig.Host.Http, id, diagnostics: rig.Diagnostics);
        Assert.Equal("completed", done.GetProperty("status").GetString());
    }

    [Fact]
    public async Task With_no_worker_past_the_deadline_the_job_fails_with_the_reason()
    {
        await using var rig = await Rig.StartAsync(azurite, "--NeuralArt:Chunks:ResultDeadline=00:00:02", "--NeuralArt:Chunks:MaxDispatches=2");
        var source = $"uploads/{Guid.NewGuid():N}/nobody.png";
        await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(24, 24, seed: 6));
        var id = await JobPolling.SubmitAsync(rig.Host.Http, $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{Quick}}}""");

        var done = await JobPolling.WaitAsync(rig.Host.Http, id, diagnostics: rig.Diagnostics);
        Assert.Equal("failed", done.GetProperty("status").GetString());
        var reason = done.GetProperty("error").GetProperty("reason").GetString();
        Assert.Contains("No worker reported the chunk from iteration 0 within 2 s, 2 times", reason, StringComparison.Ordinal);
        Assert.NotNull(await azurite.DownloadAsync(StorageLayout.Error(id)));
        // Dispatched twice, never taken.
        Assert.Equal(2, (await rig.Queue(rig.ChunksQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_poison_message_lands_in_the_poison_queue_and_the_next_job_completes()
    {
        await using var rig = await Rig.StartAsync(azurite);
        var chunks = rig.Queue(rig.ChunksQueue);
        await chunks.CreateIfNotExistsAsync();
        await chunks.SendMessageAsync("this is not a chunk");
        await chunks.SendMessageAsync("""{"jobId":"","chunk":1}""");
        await using var worker = await rig.StartWorkerAsync("sorter");

        var source = $"uploads/{Guid.NewGuid():N}/after-poison.png";
        await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(24, 24, seed: 8));
        var id = await JobPolling.SubmitAsync(rig.Host.Http, $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{{Quick}}}""");
        var done = await JobPolling.WaitAsync(rig.Host.Http, id, diagnostics: rig.Diagnostics);
        Assert.Equal("completed", done.GetProperty("status").GetString());

        var poisoned = (await rig.Queue(rig.ChunksQueue + ChunkQueueOptions.PoisonSuffix).PeekMessagesAsync(ChunkQueues.MaxBatch)).Value;
        Assert.Equal(new[] { "this is not a chunk", """{"jobId":"","chunk":1}""" }.Order(), poisoned.Select(m => m.Body.ToString()).Order());
        Assert.Contains("moved to " + rig.ChunksQueue + ChunkQueueOptions.PoisonSuffix, worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunk_longer_than_the_visibility_timeout_stays_with_its_worker()
    {
        // Each iteration takes 6 s, the message is invisible for 4 s at a time: only renewal keeps the
        // second worker from taking the same chunk while the first one runs it.
        await using var rig = await Rig.StartAsync(azurite);
        await using var first = await rig.StartWorkerAsync("keeper-one");
        await using var second = await rig.StartWorkerAsync("keeper-two");
        var source = $"uploads/{Guid.NewGuid():N}/long.png";
        await azurite.UploadAsync(BlobRef.Parse(source), TestImages.Png(16, 16, seed: 9));
        var id = await JobPolling.SubmitAsync(rig.Host.Http, $$"""{"kind":"dream","inputs":{"source":"{{source}}"},"parameters":{"phases":1,"iterations":2,"delayMs":6000},"chunkBudgetSeconds":1}""");

        var done = await JobPolling.WaitAsync(rig.Host.Http, id, diagnostics: rig.Diagnostics);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        var starts = (first.Output + second.Output).Split('\n').Count(line => line.Contains($"of job {id}", StringComparison.Ordinal) && line.Contains("runs chunk", StringComparison.Ordinal));
        Assert.Equal(done.GetProperty("progress").GetProperty("chunks").GetInt32(), starts);
        Assert.DoesNotContain("delivery 2", first.Output + second.Output, StringComparison.Ordinal);
    }

    /// <summary>A queued-executor host on its own task hub and chunk queues, and the workers started for it.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly AzuriteFixture azurite;
        private readonly List<HostProcess> workers = [];

        private Rig(AzuriteFixture azurite, string id, HostProcess host)
        {
            this.azurite = azurite;
            ChunksQueue = $"chunks-{id}";
            ResultsQueue = $"results-{id}";
            Host = host;
        }

        public HostProcess Host { get; }

        public string ChunksQueue { get; }

        public string ResultsQueue { get; }

        public static async Task<Rig> StartAsync(AzuriteFixture azurite, params string[] extra)
        {
            var id = Guid.NewGuid().ToString("N")[..12];
            var host = await HostProcess.StartAsync(azurite.ConnectionString, $"q{id}",
                [.. QueueArguments(id), "--NeuralArt:Host:WatchInbox=false", $"--NeuralArt:Chunks:Executor={ChunkExecutors.Queued}", .. extra]);
            return new Rig(azurite, id, host);
        }

        public async Task<HostProcess> StartWorkerAsync(string name)
        {
            var worker = await HostProcess.StartWorkerAsync(azurite.ConnectionString, name,
            [
                $"--NeuralArt:Chunks:ChunksQueue={ChunksQueue}",
                $"--NeuralArt:Chunks:ResultsQueue={ResultsQueue}",
                // A killed worker's chunk comes back within seconds; workers never leave on their own here.
                "--NeuralArt:Chunks:VisibilityTimeout=00:00:04",
                "--NeuralArt:Chunks:WorkerIdleTimeout=00:00:00",
                "--NeuralArt:Chunks:MaxPollInterval=00:00:00.300",
            ]);
            workers.Add(worker);
            return worker;
        }

        public QueueClient Queue(string name) => new(azurite.ConnectionString, name, ChunkQueues.ClientOptions);

        /// <summary>Bounded poll until the chunks queue holds <paramref name="count"/> messages.</summary>
        public async Task WaitForQueuedChunksAsync(int count)
        {
            using var cancel = new CancellationTokenSource(JobPolling.JobTimeout);
            var queue = Queue(ChunksQueue);
            while (!await queue.ExistsAsync(cancel.Token) || (await queue.GetPropertiesAsync(cancel.Token)).Value.ApproximateMessagesCount < count)
            {
                await Task.Delay(200, cancel.Token);
            }
        }

        public string Diagnostics() => string.Join("\n---\n", workers.Select(w => w.Output).Prepend(Host.Output));

        private static IEnumerable<string> QueueArguments(string id) =>
        [
            $"--NeuralArt:Chunks:ChunksQueue=chunks-{id}",
            $"--NeuralArt:Chunks:ResultsQueue=results-{id}",
            "--NeuralArt:Chunks:MaxPollInterval=00:00:00.300",
        ];

        public async ValueTask DisposeAsync()
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            await Host.DisposeAsync();
        }
    }
}
