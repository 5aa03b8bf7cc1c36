using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Host.Tests;

/// <summary>
/// The kill -9 check for sequence jobs (zoom, video): a real-engine host is killed once the job has
/// written frame 1 and before its last frame, a second host on the same task hub finishes it, and
/// the same job run uninterrupted on that host gives every frame byte for byte.
/// </summary>
internal static class SequenceResumeCheck
{
    /// <param name="interruptedBody">The job, with a short chunk budget so that the kill lands between chunks and mid-sequence.</param>
    /// <param name="uninterruptedBody">The same job as it is run the second time.</param>
    public static async Task AssertSameFramesAfterKillAsync(AzuriteFixture azurite, string hub, string interruptedBody, string uninterruptedBody, int frames)
    {
        string[] realEngines = ["--NeuralArt:Host:WatchInbox=false", "--TestServer:RealEngines=true"];
        string id;
        await using (var first = await HostProcess.StartAsync(azurite.ConnectionString, hub, realEngines))
        {
            id = await JobPolling.SubmitAsync(first.Http, interruptedBody);
            using var cancel = new CancellationTokenSource(JobPolling.JobTimeout);
            while (await azurite.DownloadAsync(StorageLayout.Frame(id, 1)) is null)
            {
                Assert.NotEqual("completed", (await JobPolling.GetAsync(first.Http, id)).GetProperty("status").GetString());
                await Task.Delay(100, cancel.Token);
            }
            Assert.Null(await azurite.DownloadAsync(StorageLayout.Frame(id, frames - 1)));
            await first.KillAsync();
        }

        await using var second = await HostProcess.StartAsync(azurite.ConnectionString, hub, realEngines);
        Assert.Equal("completed", (await JobPolling.WaitAsync(second.Http, id, diagnostics: () => second.Output)).GetProperty("status").GetString());
        var again = await JobPolling.SubmitAsync(second.Http, uninterruptedBody);
        Assert.Equal("completed", (await JobPolling.WaitAsync(second.Http, again, diagnostics: () => second.Output)).GetProperty("status").GetString());
        for (var k = 0; k < frames; k++)
        {
            Assert.Equal(await azurite.DownloadAsync(StorageLayout.Frame(again, k)), await azurite.DownloadAsync(StorageLayout.Frame(id, k)));
        }
    }
}
