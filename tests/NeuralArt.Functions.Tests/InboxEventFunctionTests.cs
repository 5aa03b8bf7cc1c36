using Microsoft.Extensions.Configuration;
using NeuralArt.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralArt.Contract;
using NeuralArt.Functions.Functions;
using NeuralArt.Functions.Inbox;
using NeuralArt.Pipeline;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Inbox;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Functions.Tests;

/// <summary>
/// The queue-triggered inbox: a BlobCreated event (as Event Grid puts it on the queue) starts the
/// same job, under the same ID, as the local host's watcher would for that blob, once per upload.
/// </summary>
public sealed class InboxEventFunctionTests : IDisposable
{
    private readonly InMemoryArtworkStore store = new();
    private readonly RecordingJobClient client = new();
    private readonly ServiceProvider services;
    private readonly InboxEventFunction function;

    public InboxEventFunctionTests()
    {
        // The pipeline as the Functions app registers it, over an in-memory store and the test engines.
        services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IArtworkStore>(store)
            .AddImageInputs(new ConfigurationBuilder().Build())
            .AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Dream))
            .AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Style))
            .AddNeuralArtPipelineCore()
            .BuildServiceProvider();
        function = new InboxEventFunction(services.GetRequiredService<InboxJobStarter>(), store, NullLogger<InboxEventFunction>.Instance);
    }

    public void Dispose() => services.Dispose();

    /// <summary>A BlobCreated event in the Event Grid schema, shaped like Azure's documented sample.</summary>
    private static string EventGridEvent(string container, string blobName, string type = BlobCreatedEvent.EventType) => $$"""
        {
          "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/neuralartdata",
          "subject": "/blobServices/default/containers/{{container}}/blobs/{{blobName}}",
          "eventType": "{{type}}",
          "eventTime": "2026-12-02T08:00:00.0000000Z",
          "id": "831e1650-001e-001b-66ab-eeb76e069631",
          "data": {
            "api": "PutBlockList",
            "eTag": "0x8D4BCC2E4835CD0",
            "contentType": "image/jpeg",
            "contentLength": 524288,
            "blobType": "BlockBlob",
            "url": "https://neuralartdata.blob.core.windows.net/{{container}}/{{Uri.EscapeDataString(blobName)}}"
          },
          "dataVersion": "",
          "metadataVersion": "1"
        }
        """;

    private BlobInfo Upload(string name, int seed = 0)
    {
        var blob = new BlobRef(StorageLayout.InboxContainer, name);
        store.Put(blob, TestImages.Png(seed: seed));
        return store.GetInfoAsync(blob).Result!;
    }

    [Fact]
    public async Task A_dream_upload_starts_the_job_the_watcher_would_start()
    {
        var blob = Upload("dream/cat photo.jpg");

        var jobId = await function.HandleAsync(EventGridEvent("inbox", "dream/cat photo.jpg"), client);

        Assert.Equal(JobIds.ForInboxBlob(ArtworkKinds.Dream, "dream/cat photo.jpg", blob.ETag), jobId);
        var started = Assert.Single(client.Started);
        Assert.Equal(jobId, started.Id);
        Assert.Null(started.Request.Rejection);
        Assert.Equal(new BlobRef(StorageLayout.InboxContainer, "dream/cat photo.jpg"), started.Request.Source);
    }

    [Fact]
    public async Task A_style_upload_names_its_style()
    {
        Upload("style/starry-night/cat.jpg");
        store.Put(new BlobRef(StorageLayout.StylesContainer, "starry-night.png"), TestImages.Png(seed: 1));

        await function.HandleAsync(EventGridEvent("inbox", "style/starry-night/cat.jpg"), client);

        var started = Assert.Single(client.Started);
        Assert.Equal(ArtworkKinds.Style, started.Request.Kind);
        Assert.Contains(started.Request.Inputs, input => input.Blob == new BlobRef(StorageLayout.StylesContainer, "starry-night.png"));
    }

    [Fact]
    public async Task A_repeated_event_starts_one_job()
    {
        Upload("dream/cat.jpg");
        var message = EventGridEvent("inbox", "dream/cat.jpg");

        var first = await function.HandleAsync(message, client);
        var second = await function.HandleAsync(message, client);

        Assert.Equal(first, second);
        Assert.Single(client.Started);
    }

    [Fact]
    public async Task A_reupload_is_a_new_job()
    {
        Upload("dream/cat.jpg");
        var message = EventGridEvent("inbox", "dream/cat.jpg");
        var first = await function.HandleAsync(message, client);

        Upload("dream/cat.jpg", seed: 1);
        var second = await function.HandleAsync(message, client);

        Assert.NotEqual(first, second);
        Assert.Equal(2, client.Started.Count);
    }

    [Fact]
    public async Task A_cloud_events_message_is_read_the_same_way()
    {
        var blob = Upload("dream/cat.jpg");
        var message = $$$"""
            {"specversion":"1.0","type":"{{{BlobCreatedEvent.EventType}}}","source":"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a",
             "subject":"/blobServices/default/containers/inbox/blobs/dream/cat.jpg","id":"1","data":{}}
            """;

        Assert.Equal(JobIds.ForInboxBlob(ArtworkKinds.Dream, "dream/cat.jpg", blob.ETag), await function.HandleAsync(message, client));
    }

    [Theory]
    [InlineData("outputs", "dream/cat.jpg", BlobCreatedEvent.EventType)]
    [InlineData("inboxes", "dream/cat.jpg", BlobCreatedEvent.EventType)]
    [InlineData("inbox", "dream/cat.jpg", "Microsoft.Storage.BlobDeleted")]
    [InlineData("inbox", "dream/cat.jpg.json", BlobCreatedEvent.EventType)]
    [InlineData("inbox", "elsewhere/cat.jpg", BlobCreatedEvent.EventType)]
    public async Task Events_that_are_not_an_inbox_upload_start_nothing(string container, string name, string type)
    {
        Upload(name);
        store.Put(new BlobRef(container, name), TestImages.Png());

        Assert.Null(await function.HandleAsync(EventGridEvent(container, name, type), client));
        Assert.Empty(client.Started);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("""{"eventType":"Microsoft.Storage.BlobCreated"}""")]
    [InlineData("""{"eventType":"Microsoft.Storage.BlobCreated","subject":"/blobServices/default/containers/inbox/blobs/"}""")]
    public async Task Malformed_messages_are_consumed_without_a_job(string message)
    {
        Assert.Null(await function.HandleAsync(message, client));
        Assert.Empty(client.Started);
    }

    [Fact]
    public async Task A_blob_deleted_before_its_event_is_handled_starts_nothing()
    {
        Assert.Null(await function.HandleAsync(EventGridEvent("inbox", "dream/gone.jpg"), client));
        Assert.Equal(0, client.Attempts);
    }

    /// <summary>Starts each ID once, like the Durable backends behind <see cref="IJobClient"/>.</summary>
    private sealed class RecordingJobClient : IJobClient
    {
        public List<(string Id, JobRequest Request)> Started { get; } = [];

        public int Attempts { get; private set; }

        public Task<bool> StartAsync(string jobId, JobRequest request, CancellationToken cancellationToken = default)
        {
            Attempts++;
            if (Started.Any(s => s.Id == jobId))
            {
                return Task.FromResult(false);
            }

            Started.Add((jobId, request));
            return Task.FromResult(true);
        }

        public Task<bool> StartSweepAsync(string sweepId, NeuralArt.Pipeline.Sweeps.SweepRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<JobInstance?> GetAsync(string jobId, CancellationToken cancellationToken = default) =>
            Task.FromResult(Started.Any(s => s.Id == jobId)
                ? new JobInstance(jobId, JobRuntimeStatus.Running, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, null, null)
                : null);

        public Task<JobPage> ListAsync(DateTimeOffset createdFrom, int top, string? continuationToken, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task CancelAsync(string jobId, string reason, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task RaiseEventAsync(string jobId, string eventName, object payload, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> PurgeAsync(string jobId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
