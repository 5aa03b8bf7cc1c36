using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using NeuralArt.Pipeline.Clients;
using NeuralArt.Pipeline.Inbox;

namespace NeuralArt.Functions.Functions;

/// <summary>
/// The blob trigger on the inbox: <c>inbox/dream/&lt;file&gt;</c> and <c>inbox/style/&lt;style&gt;/&lt;file&gt;</c>
/// start jobs through the same <see cref="InboxJobStarter"/> as the local host's watcher; the ID comes
/// from the blob's name and ETag, so a repeated event starts nothing new.
/// </summary>
public sealed class InboxTriggerFunction(InboxJobStarter starter)
{
    [Function("InboxTrigger")]
    public async Task RunAsync(
        [BlobTrigger("inbox/{name}", Connection = StorageSettings.ConnectionSetting)] BlobClient blob,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
        await starter.StartAsync(new DurableTaskJobClient(client), blob.Name, properties.Value.ETag.ToString(), cancellationToken);
    }
}
