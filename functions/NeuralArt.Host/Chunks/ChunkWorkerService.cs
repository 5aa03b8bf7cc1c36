using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuralArt.Pipeline.Chunks;

namespace NeuralArt.Host.Chunks;

/// <summary>
/// Runs the Pipeline's <see cref="ChunkWorker"/> loop as the worker process's one job, and ends the
/// process when the loop returns (the queue stayed empty for the idle time): an execution of the GPU
/// job ends, and is billed no more, once its burst of chunks is done. Logs the cold start's parts.
/// </summary>
internal sealed class ChunkWorkerService(ChunkWorker worker, IHostApplicationLifetime lifetime, ILogger<ChunkWorkerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var processStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var ready = DateTime.UtcNow - processStart;
        var first = true;
        worker.ChunkReported += (chunk, took) =>
        {
            if (!first) return;
            first = false;
            // Cold start, split: process start to host ready, ready to this chunk's message taken, the chunk itself (first-use costs included).
            var done = DateTime.UtcNow - processStart;
            logger.LogInformation(
                "Cold start of worker {Worker}: first chunk done {Done:F2} s after process start (host ready {Ready:F2} s, waiting for and taking the message {Waiting:F2} s, first chunk {Chunk:F2} s).",
                worker.Name, done.TotalSeconds, ready.TotalSeconds, (done - ready - took).TotalSeconds, took.TotalSeconds);
        };

        try
        {
            await worker.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped by SIGTERM or Ctrl+C.
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
