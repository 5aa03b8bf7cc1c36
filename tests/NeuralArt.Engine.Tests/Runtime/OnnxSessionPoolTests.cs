using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Runtime;

public class OnnxSessionPoolTests
{
    private static OnnxSessionPool Pool(int maxSessions = OnnxRuntimeOptions.DefaultMaxSessions) =>
        new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = 1, MaxSessions = maxSessions });

    /// <summary>A small in-memory graph per key (the roll step graph): cheap sessions for the LRU tests.</summary>
    private static OnnxSessionLease Rent(OnnxSessionPool pool, string key) => pool.RentBuilt(key, StepGraphs.Roll);

    private static string[] Keys(params string[] keys) => keys.Select(k => "built:" + k).ToArray();

    /// <summary>Runs the roll graph on the session: fails if its native session was disposed.</summary>
    private static float[] Roll(OnnxSession session)
    {
        var image = TestImages.RandomTensor(4, 5, seed: 3);
        using var x = OrtValue.CreateTensorValueFromMemory(image.Data, image.Shape);
        using var sh = OrtValue.CreateTensorValueFromMemory(new long[] { 1 }, [1]);
        using var sw = OrtValue.CreateTensorValueFromMemory(new long[] { 2 }, [1]);
        using var options = new RunOptions();
        using var outputs = session.Session.Run(options, [StepGraphs.Image, StepGraphs.ShiftH, StepGraphs.ShiftW], [x, sh, sw], [StepGraphs.Rolled]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public void One_session_per_graph_is_reused()
    {
        using var pool = Pool();
        using var a = pool.Rent(ToyGraphs.DreamPath);
        using var again = pool.Rent(Path.Combine(Path.GetDirectoryName(ToyGraphs.DreamPath)!, ".", "dream.onnx"));
        using var other = pool.Rent(ToyGraphs.FeaturesPath);
        Assert.Same(a.Session, again.Session);
        Assert.NotSame(a.Session, other.Session);
        Assert.Equal(ExecutionDevice.Cpu, a.Session.Device);
        Assert.Equal((2, 2L), (pool.Count, pool.CreatedCount));
    }

    [Fact]
    public void Pool_never_holds_more_than_its_bound_and_evicts_the_least_recently_used()
    {
        using var pool = Pool(maxSessions: 2);
        OnnxSession Use(string key)
        {
            using var lease = Rent(pool, key);
            Assert.InRange(pool.Count, 1, 2);
            return lease.Session;
        }

        var a = Use("a");
        var b = Use("b");
        Assert.Same(a, Use("a"));               // a is now the most recently used
        var c = Use("c");                       // evicts b, the least recently used

        Assert.Equal(Keys("c", "a"), pool.Keys);
        Assert.True(b.IsDisposed, "An evicted idle session is disposed at once.");
        Assert.False(a.IsDisposed || c.IsDisposed);
        Assert.Equal(3, pool.CreatedCount);

        Assert.NotSame(b, Use("b"));            // loaded again, evicting a
        Assert.Equal(Keys("b", "c"), pool.Keys);
        Assert.True(a.IsDisposed);
        Assert.Equal((2, 4L), (pool.Count, pool.CreatedCount));
    }

    [Fact]
    public void A_leased_session_is_not_disposed_when_evicted_but_when_its_lease_ends()
    {
        using var pool = Pool(maxSessions: 1);
        var expected = TensorOps.Roll(TestImages.RandomTensor(4, 5, seed: 3), 1, 2).Data;
        var running = Rent(pool, "running");

        using (var other = Rent(pool, "other"))
        {
            // Only one fits and "running" is the least recently used: out of the pool, but still usable.
            Assert.Equal(Keys("other"), pool.Keys);
            Assert.False(running.Session.IsDisposed);
            Assert.Equal(expected, Roll(running.Session));
        }

        running.Dispose();
        Assert.True(running.Session.IsDisposed);
        running.Dispose();                      // a second dispose releases nothing more
        Assert.Equal(Keys("other"), pool.Keys);
    }

    [Fact]
    public void Idle_sessions_are_evicted_before_leased_ones()
    {
        using var pool = Pool(maxSessions: 2);
        using var held = Rent(pool, "held");    // least recently used, but in use
        var idle = Rent(pool, "idle");
        idle.Dispose();

        using var added = Rent(pool, "added");

        Assert.Equal(Keys("added", "held"), pool.Keys);
        Assert.True(idle.Session.IsDisposed);
        Assert.False(held.Session.IsDisposed);
    }

    [Fact]
    public void Concurrent_renters_never_see_a_disposed_session()
    {
        // Eight keys through a pool of two, from several threads: sessions are evicted all the time,
        // and every run must still find its leased session alive.
        using var pool = Pool(maxSessions: 2);
        var expected = TensorOps.Roll(TestImages.RandomTensor(4, 5, seed: 3), 1, 2).Data;
        const int keys = 8, rents = 400;
        Parallel.For(0, rents, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var lease = Rent(pool, "k" + (i * 7 % keys));
            Assert.False(lease.Session.IsDisposed);
            Assert.Equal(expected, Roll(lease.Session));
        });
        Assert.InRange(pool.Count, 1, 2);
        Assert.InRange(pool.CreatedCount, keys, rents);
    }

    [Fact]
    public void Disposing_the_pool_keeps_leased_sessions_until_their_leases_end()
    {
        var pool = Pool();
        var lease = Rent(pool, "x");
        var idle = Rent(pool, "y");
        idle.Dispose();
        pool.Dispose();
        Assert.True(idle.Session.IsDisposed);
        Assert.False(lease.Session.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => Rent(pool, "z"));
        lease.Dispose();
        Assert.True(lease.Session.IsDisposed);
    }

    [Fact]
    public void A_bound_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Pool(maxSessions: 0));

    [Fact]
    public void Auto_uses_cuda_or_says_why_not()
    {
        using var pool = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Auto });
        using var lease = pool.Rent(ToyGraphs.DreamPath);
        if (lease.Session.Device == ExecutionDevice.Cpu)
        {
            Assert.False(string.IsNullOrWhiteSpace(pool.FallbackReason));
        }
        else
        {
            Assert.Null(pool.FallbackReason);
        }
    }

    [Fact]
    public void Missing_graph_is_a_clear_error_and_not_cached()
    {
        using var pool = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".onnx");
        Assert.Throws<FileNotFoundException>(() => pool.Rent(path));
        Assert.Equal(0, pool.Count);
        File.Copy(ToyGraphs.DreamPath, path);
        try
        {
            using var lease = pool.Rent(path);
            Assert.False(lease.Session.IsDisposed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("auto", ExecutionProviderPreference.Auto)]
    [InlineData("CUDA", ExecutionProviderPreference.Cuda)]
    [InlineData(" cpu ", ExecutionProviderPreference.Cpu)]
    public void Provider_names_parse(string text, ExecutionProviderPreference expected)
    {
        Assert.True(OnnxRuntimeOptions.TryParseProvider(text, out var provider));
        Assert.Equal(expected, provider);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("")]
    [InlineData("7")]
    public void Bad_provider_names_do_not_parse(string text) =>
        Assert.False(OnnxRuntimeOptions.TryParseProvider(text, out _));
}
