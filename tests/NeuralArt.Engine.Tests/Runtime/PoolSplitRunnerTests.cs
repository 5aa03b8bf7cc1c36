using NeuralArt.Engine.Common;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Tests.Runtime;

/// <summary>
/// The shipped ResNet-18's gradient graph run split at its stem max-pool with the managed pool
/// between the sessions, against the one graph: the same loss and gradient bits, at sizes that are
/// and are not multiples of 32, one runner across sizes; and whole dreams (tiled and untiled,
/// chunked) with the pool in the graph and in managed code, the same state bytes.
/// </summary>
public sealed class PoolSplitRunnerTests : IDisposable
{
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
    private readonly CatalogGraphSource _graphs = new(ModelCatalog.Locate());

    public void Dispose() => _pool.Dispose();

    [Theory]
    [InlineData("layer3")]
    [InlineData("layer3:1,layer2:0.5")]
    public void Split_steps_equal_one_graph_steps_bit_for_bit(string layers)
    {
        var manifest = _graphs.GetManifest("resnet18");
        var parameters = new DreamParameters(TapWeights.Parse(layers));
        var graph = _graphs.GetGraph(manifest, parameters.Objective());
        using var lease = _pool.Rent(graph.Path);
        using var split = PoolSplitSessions.TryRent(_graphs, _pool, graph, PoolPlacement.Managed);
        Assert.NotNull(split);
        Assert.Equal(new MaxPoolGeometry(3, 3, 2, 2, 1, 1, 1, 1, false), split.Pool);
        using var whole = new GradientRunner(lease.Session);
        using var managed = new GradientRunner(lease.Session, split: split);
        DreamGraphInputs.Set(whole, parameters, guided: false);
        DreamGraphInputs.Set(managed, parameters, guided: false);
        Assert.True(managed.RunsManagedPool);

        foreach (var (h, w, seed) in new[] { (64, 80, 1), (97, 131, 2), (64, 80, 3) })
        {
            var image = TestImages.RandomTensor(h, w, seed);
            var a = whole.Buffers(h, w);
            var b = managed.Buffers(h, w);
            image.Data.CopyTo(a.Input);
            image.Data.CopyTo(b.Input);
            var lossWhole = whole.Run(a);
            var lossSplit = managed.Run(b);
            Assert.Equal(BitConverter.SingleToInt32Bits(lossWhole), BitConverter.SingleToInt32Bits(lossSplit));
            Assert.True(a.Grad.SequenceEqual(b.Grad), $"{h}x{w}: the split gradient differs from the one graph's.");
            Assert.Contains(a.Grad.ToArray(), v => v != 0);
        }
        Assert.True(managed.ManagedPoolTime > TimeSpan.Zero);
    }

    [Fact]
    public void A_split_step_whose_first_run_failed_runs_the_pre_pool_graph_on_the_next_input()
    {
        // The first step at a size starts from the pre-pool run that learned its shapes; when that
        // step fails before it runs (here: the dream inputs are not set), the next step, on another
        // image, must not start from the old image's pre-pool output.
        var manifest = _graphs.GetManifest("resnet18");
        var parameters = new DreamParameters(TapWeights.Parse("layer3"));
        var graph = _graphs.GetGraph(manifest, parameters.Objective());
        using var lease = _pool.Rent(graph.Path);
        using var split = PoolSplitSessions.TryRent(_graphs, _pool, graph, PoolPlacement.Managed);
        Assert.NotNull(split);
        using var whole = new GradientRunner(lease.Session);
        using var managed = new GradientRunner(lease.Session, split: split);
        DreamGraphInputs.Set(whole, parameters, guided: false);
        const int H = 64, W = 80;

        var b = managed.Buffers(H, W);
        TestImages.RandomTensor(H, W, 1).Data.CopyTo(b.Input);
        Assert.Throws<InvalidOperationException>(() => managed.Run(b));
        DreamGraphInputs.Set(managed, parameters, guided: false);
        var image = TestImages.RandomTensor(H, W, 2);
        image.Data.CopyTo(b.Input);
        var a = whole.Buffers(H, W);
        image.Data.CopyTo(a.Input);

        Assert.Equal(BitConverter.SingleToInt32Bits(whole.Run(a)), BitConverter.SingleToInt32Bits(managed.Run(b)));
        Assert.True(a.Grad.SequenceEqual(b.Grad), "the step started from the first image's pre-pool output");
    }

    [Fact]
    public void Graph_placement_or_a_graph_without_a_max_pool_runs_the_one_graph()
    {
        var manifest = _graphs.GetManifest("resnet18");
        var graph = _graphs.GetGraph(manifest, new DreamParameters(TapWeights.Parse("layer3")).Objective());
        using var lease = _pool.Rent(graph.Path);
        Assert.Null(PoolSplitSessions.TryRent(_graphs, _pool, graph, PoolPlacement.Graph));
        // The default is the managed pool on CPU sessions.
        using (var auto = PoolSplitSessions.TryRent(_graphs, _pool, graph, PoolPlacement.Auto)) Assert.NotNull(auto);
        // The toy graphs have no max-pool; their source has no split at all.
        using var toy = _pool.Rent(ToyGraphs.DreamPath);
        Assert.Null(PoolSplitSessions.TryRent(new ToyGraphSource(), _pool, new CompiledGraph(ToyGraphs.DreamPath, "toy", "dream", "0"), PoolPlacement.Managed));
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    public async Task Dreams_with_the_managed_pool_equal_dreams_with_the_pool_in_the_graph(int tile)
    {
        var settings = new DreamSettings
        {
            Layers = "layer3",
            Octaves = 2,
            OctaveScale = 1.4f,
            Iterations = 2,
            Jitter = 8,
            TileSize = tile,
            Seed = 11,
        };
        async Task<byte[]> Dream(PoolPlacement placement, int chunk)
        {
            var engine = new DeepDreamEngine(_graphs, _pool, new ImageLoader(), options: new EngineOptions { PoolPlacement = placement, StepPlacement = StepPlacement.Host });
            var checkpoint = await engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), [], settings.ToJson()));
            while (!checkpoint.Progress.IsComplete) checkpoint = await engine.RunChunkAsync(checkpoint.State, chunk);
            return checkpoint.State;
        }
        var inGraph = await Dream(PoolPlacement.Graph, int.MaxValue);
        Assert.Equal(inGraph, await Dream(PoolPlacement.Managed, int.MaxValue));
        Assert.Equal(inGraph, await Dream(PoolPlacement.Managed, 1));
    }

    [Fact]
    public async Task A_cpu_dream_with_host_steps_never_opens_the_one_gradient_graph()
    {
        // Host steps run the split graph alone; the one graph is only for device-resident steps.
        var engine = new DeepDreamEngine(_graphs, _pool, new ImageLoader(), options: new EngineOptions { StepPlacement = StepPlacement.Auto });
        var settings = new DreamSettings { Layers = "layer3", Octaves = 1, Iterations = 2, Jitter = 4, Seed = 5 };

        var checkpoint = await engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), [], settings.ToJson()));
        while (!checkpoint.Progress.IsComplete) checkpoint = await engine.RunChunkAsync(checkpoint.State, int.MaxValue);

        Assert.Equal(3, _pool.CreatedCount); // pre, rest and back
        var graph = _graphs.GetGraph(_graphs.GetManifest("resnet18"), new DreamParameters(TapWeights.Parse("layer3")).Objective());
        Assert.Equal(3, _pool.CreatedCount);
        using (var whole = _pool.Rent(graph.Path)) Assert.Equal(4, _pool.CreatedCount); // it was not among them
        Assert.True(double.IsFinite(checkpoint.Progress.Loss));
    }
}
