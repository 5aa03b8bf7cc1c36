using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// SIGTERM ends the local host within its grace period even when storage is gone (issue 22 measured
/// `neuralart serve` still running 150 s after SIGTERM with Azurite stopped, once about 9 minutes).
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>What the process may take beyond the grace period: the watchdog's margin and process teardown on a loaded machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(15);

    /// <summary>How long the test waits before it calls the host hung (and kills it).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task SIGTERM_ends_the_host_within_its_grace_period_with_storage_unreachable()
    {
        var azurite = await Azurite.StartAsync();
        await using var host = await HostProcess.StartAsync(azurite.ConnectionString, $"term{Guid.NewGuid():N}"[..16],
            $"--NeuralArt:Host:ShutdownGracePeriod={GracePeriod}");

        // Storage goes away under a running host: its partition leases and queues can no longer be reached.
        await azurite.DisposeAsync();
        var took = await host.TerminateAsync(Patience);
        Assert.True(took is not null, $"The host was still running {Patience.TotalSeconds:F0} s after SIGTERM.\n{host.Output}");
        Assert.True(took < GracePeriod + Slack, $"The host took {took!.Value.TotalSeconds:F1} s to exit after SIGTERM; the grace period is {GracePeriod.TotalSeconds:F0} s.\n{host.Output}");
    }

    [Fact]
    public async Task SIGTERM_ends_a_chunk_worker_within_its_grace_period_with_storage_unreachable()
    {
        var azurite = await Azurite.StartAsync();
        await using var worker = await HostProcess.StartWorkerAsync(azurite.ConnectionString, "term-worker",
            $"--NeuralArt:Host:ShutdownGracePeriod={GracePeriod}", "--NeuralArt:Chunks:WorkerIdleTimeout=00:00:00");

        // Storage goes away under a polling worker: its receives fail and retry.
        await azurite.DisposeAsync();
        var took = await worker.TerminateAsync(Patience);
        Assert.True(took is not null, $"The worker was still running {Patience.TotalSeconds:F0} s after SIGTERM.\n{worker.Output}");
        Assert.True(took < GracePeriod + Slack, $"The worker took {took!.Value.TotalSeconds:F1} s to exit after SIGTERM; the grace period is {GracePeriod.TotalSeconds:F0} s.\n{worker.Output}");
    }
}
