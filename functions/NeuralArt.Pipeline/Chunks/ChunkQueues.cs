using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NeuralArt.Pipeline.Chunks;

/// <summary>
/// The queued executor's queues on the data account: <c>chunks</c> (for workers), <c>chunk-results</c>
/// (for the orchestrations) and their poison queues. Messages are JSON, base64-encoded as the Functions
/// queue trigger reads them by default.
/// </summary>
public sealed class ChunkQueues
{
    /// <summary>Most messages one receive call takes (the service's limit).</summary>
    public const int MaxBatch = 32;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ILogger<ChunkQueues> logger;
    private readonly bool create;

    public ChunkQueues(QueueServiceClient service, IOptions<ChunkQueueOptions> options, ILogger<ChunkQueues> logger)
    {
        this.logger = logger;
        var settings = options.Value;
        create = settings.CreateQueues;
        Chunks = service.GetQueueClient(settings.ChunksQueue);
        Results = service.GetQueueClient(settings.ResultsQueue);
        ChunksPoison = service.GetQueueClient(settings.ChunksQueue + ChunkQueueOptions.PoisonSuffix);
        ResultsPoison = service.GetQueueClient(settings.ResultsQueue + ChunkQueueOptions.PoisonSuffix);
    }

    /// <summary>What every host's queue client must use, so that the Functions trigger and the workers read each other's messages.</summary>
    public static QueueClientOptions ClientOptions => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public QueueClient Chunks { get; }

    public QueueClient Results { get; }

    public QueueClient ChunksPoison { get; }

    public QueueClient ResultsPoison { get; }

    /// <summary>Creates the queues when missing, unless <see cref="ChunkQueueOptions.CreateQueues"/> is off (Azure).</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (!create) return;
        foreach (var queue in new[] { Chunks, Results, ChunksPoison, ResultsPoison })
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public Task SendChunkAsync(ChunkMessage message, CancellationToken cancellationToken) => SendAsync(Chunks, message, cancellationToken);

    public Task SendResultAsync(ChunkResultMessage message, CancellationToken cancellationToken) => SendAsync(Results, message, cancellationToken);

    /// <summary>Moves a message that cannot be handled to its queue's poison queue (logged), so that it never blocks the others.</summary>
    public async Task PoisonAsync(QueueClient source, QueueMessage message, string reason, CancellationToken cancellationToken)
    {
        var poison = source == Chunks ? ChunksPoison : source == Results ? ResultsPoison : throw new ArgumentException($"'{source.Name}' is not a chunk queue.", nameof(source));
        logger.LogError("Message {MessageId} on queue {Queue} moved to {Poison} after {Dequeues} deliveries: {Reason}",
            message.MessageId, source.Name, poison.Name, message.DequeueCount, reason);
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        await source.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a message body as <typeparamref name="T"/>; false with the reason when it is not one.</summary>
    public static bool TryParse<T>(BinaryData body, out T? value, out string reason) where T : class
    {
        try
        {
            value = body.ToObjectFromJson<T>(Json);
            reason = value is null ? "the message is empty" : string.Empty;
            return value is not null && Validate(value, out reason);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            value = null;
            reason = $"the message is not a {typeof(T).Name}: {e.Message}";
            return false;
        }
    }

    private static bool Validate<T>(T value, out string reason)
    {
        reason = value switch
        {
            ChunkMessage { JobId: not { Length: > 0 } } or ChunkResultMessage { JobId: not { Length: > 0 } } => "it names no job",
            ChunkMessage { Input: null } => "it has no chunk input",
            ChunkResultMessage { Outcome: null } => "it has no outcome",
            _ => string.Empty,
        };
        return reason.Length == 0;
    }

    private static Task SendAsync<T>(QueueClient queue, T message, CancellationToken cancellationToken) =>
        queue.SendMessageAsync(BinaryData.FromObjectAsJson(message, Json), cancellationToken: cancellationToken);
}
