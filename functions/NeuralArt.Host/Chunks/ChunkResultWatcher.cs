using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Chunks;
using NeuralArt.Pipeline.Durable;

namespace NeuralArt.Host.Chunks;

/// <summary>
/// The local host's side of the queued executor (the Functions app uses a queue trigger instead): takes
/// workers' results from the <c>chunk-results</c> queue and raises each as its orchestration's event
/// through the Pipeline's <see cref="ChunkResultRelay"/>.
/// </summary>
internal sealed class ChunkResultWatcher(
    ChunkQueues queues,
    ChunkResultRelay relay,
    IJobClient client,
    IOptions<ChunkQueueOptions> options,
    IOptions<LocalHostOptions> host,
    TimeProvider clock,
    ILogger<ChunkResultWatcher> logger) : BackgroundService
{
    /// <summary>A result is a small event to raise: if raising it takes longer, something is wrong and another delivery tries again.</summary>
    private static readonly TimeSpan ResultVisibility = TimeSpan.FromSeconds(30);

    /// <summary>Pause after storage failed to answer, before polling again.</summary>
    private static readonly TimeSpan FailurePause = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        // As short as the task hub's own polls here: every result waits for this poll before its job moves on.
        var backoff = new PollBackoff(host.Value.MaxQueuePollingInterval, clock);
        await queues.EnsureAsync(stoppingToken).ConfigureAwait(false);
        logger.LogInformation("Chunks run on queue workers: dispatching on {Chunks}, results from {Results}.", queues.Chunks.Name, queues.Results.Name);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = (await queues.Results.ReceiveMessagesAsync(ChunkQueues.MaxBatch, ResultVisibility, stoppingToken).ConfigureAwait(false)).Value;
                foreach (var message in messages)
                {
                    await relay.RelayAsync(queues, message, client, settings.MaxDequeueCount, stoppingToken).ConfigureAwait(false);
                }

                if (messages.Length > 0)
                {
                    backoff.Reset();
                }
                else
                {
                    await backoff.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A message that failed comes back after its visibility timeout (and to the poison queue after N tries).
                logger.LogWarning("Chunk results could not be relayed: {Error}", e.Message);
                await Task.Delay(FailurePause, clock, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
