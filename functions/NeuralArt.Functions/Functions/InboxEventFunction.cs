using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using NeuralArt.Functions.Inbox;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Inbox;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Functions.Functions;

/// <summary>
/// The event-driven inbox: the data account's Event Grid system topic delivers each
/// <c>BlobCreated</c> under <c>inbox/</c> to the <see cref="QueueName"/> queue, and this queue trigger
/// starts the job through the same <see cref="InboxJobStarter"/> as the local host's watcher. The ID
/// comes from the blob's name and its current ETag (read here, as the blob trigger did), so a repeated
/// event, or the event of an upload already replaced, starts nothing new.
/// A queue trigger rather than the blob trigger's Event Grid source: on Container Apps the platform
/// scales on a storage queue (KEDA azure-queue scaler) but has no scaler for Event Grid webhooks, and a
/// queue needs no public webhook or system key (see infra/README.md, "Why a queue").
/// </summary>
public sealed class InboxEventFunction(InboxJobStarter starter, IArtworkStore store, ILogger<InboxEventFunction> logger)
{
    public const string FunctionName = "InboxEvent";

    /// <summary>The queue on the data account that Event Grid delivers inbox events to (infra/main.bicep).</summary>
    public const string QueueName = "inbox-events";

    [Function(FunctionName)]
    public Task RunAsync(
        [QueueTrigger(QueueName, Connection = StorageSettings.DataConnection)] string message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        HandleAsync(message, new DurableTaskJobClient(client), cancellationToken);

    /// <summary>Starts the job of the event's inbox blob; returns its ID, or null when the event starts none.</summary>
    public async Task<string?> HandleAsync(string message, IJobClient client, CancellationToken cancellationToken = default)
    {
        // A message that can never start a job is logged and consumed, not retried into the poison queue.
        var name = BlobCreatedEvent.TryGetBlobName(message, StorageLayout.InboxContainer, out var ignoredBecause);
        if (name is null)
        {
            logger.LogWarning("Inbox event ignored: {Reason}.", ignoredBecause);
            return null;
        }

        var blob = await store.GetInfoAsync(new BlobRef(StorageLayout.InboxContainer, name), cancellationToken).ConfigureAwait(false);
        if (blob is null)
        {
            logger.LogInformation("Inbox blob {Blob} is gone (deleted after upload); no job.", name);
            return null;
        }

        return await starter.StartAsync(client, name, blob.ETag, cancellationToken).ConfigureAwait(false);
    }
}
