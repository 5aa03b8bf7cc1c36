using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Runtime;

public class OnnxSessionPoolTests
{
    [Fact]
    public void One_session_per_graph_is_reused()
    {
        using var pool = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = 1 });
        var a = pool.Get(ToyGraphs.DreamPath);
        Assert.Same(a, pool.Get(Path.Combine(Path.GetDirectoryName(ToyGraphs.DreamPath)!, ".", "dream.onnx")));
        Assert.NotSame(a, pool.Get(ToyGraphs.FeaturesPath));
        Assert.Equal(ExecutionDevice.Cpu, a.Device);
    }

    [Fact]
    public void Auto_uses_cuda_or_says_why_not()
    {
        using var pool = new OnnxSessionPool(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Auto });
        var session = pool.Get(ToyGraphs.DreamPath);
        if (session.Device == ExecutionDevice.Cpu)
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
        Assert.Throws<FileNotFoundException>(() => pool.Get(path));
        File.Copy(ToyGraphs.DreamPath, path);
        try
        {
            Assert.NotNull(pool.Get(path));
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
