using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NeuralArt.Host;

/// <summary>
/// The last guarantee that SIGTERM or Ctrl+C ends the host: when stopping begins, a timer is set to
/// the grace period plus a margin, and if the process is still there then (a stop that blocks
/// instead of honouring its token), it ends itself. Nothing is lost by it: a chunk's checkpoint is
/// written whole or not at all, and its message comes back to another host after its visibility timeout.
/// </summary>
internal sealed class ShutdownWatchdog(IHostApplicationLifetime lifetime, IOptions<LocalHostOptions> options, ILogger<ShutdownWatchdog> logger) : IHostedService, IDisposable
{
    /// <summary>Time past the grace period for the host's own orderly exit (unwinding, flushing logs).</summary>
    private static readonly TimeSpan ExitMargin = TimeSpan.FromSeconds(5);

    private CancellationTokenRegistration stopping;
    private CancellationTokenRegistration stopped;
    private Timer? timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        stopping = lifetime.ApplicationStopping.Register(() =>
        {
            var limit = options.Value.ShutdownGracePeriod + ExitMargin;
            timer = new Timer(_ => EndProcess(limit), null, limit, Timeout.InfiniteTimeSpan);
        });
        // A host that stopped in time is left alone, whatever its embedding process (tests, the
        // pipeline benchmark) does next: only a stop that never finishes ends the process.
        stopped = lifetime.ApplicationStopped.Register(() => timer?.Dispose());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void EndProcess(TimeSpan limit)
    {
        logger.LogCritical("The host did not stop within {Seconds:F0} s of the stop signal; ending the process.", limit.TotalSeconds);
        // Kill, not Exit: Exit runs the process-exit handlers, one of which waits for the very stop that hangs.
        Process.GetCurrentProcess().Kill();
    }

    public void Dispose()
    {
        stopping.Dispose();
        stopped.Dispose();
        timer?.Dispose();
    }
}
