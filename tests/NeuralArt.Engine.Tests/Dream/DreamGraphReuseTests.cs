using System.Globalization;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Engine.Tests.Dream;

/// <summary>
/// Dream tap weights and channel selections are inputs of one compiled graph per set of taps: new
/// values compile nothing and open no session, and they do reach the host, device and tiled steps.
/// </summary>
public sealed class DreamGraphReuseTests : IDisposable
{
    private const int WeightSets = 50;
    /// <summary>ResNet-18's layer2 has 128 channels (layer3 256): selections below it fit both taps.</summary>
    private const int Layer2Channels = 128;
    /// <summary>Doubling every weight doubles the loss: exact in float, allow for reassociation only.</summary>
    private const double ScalingTolerance = 1e-6;

    private readonly string _cacheDirectory = Path.Combine(Path.GetTempPath(), "neuralart-dream-reuse-" + Guid.NewGuid().ToString("N"));
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });

    public void Dispose()
    {
        _pool.Dispose();
        if (Directory.Exists(_cacheDirectory)) Directory.Delete(_cacheDirectory, recursive: true);
    }

    private DeepDreamEngine Engine(IGraphSource graphs, StepPlacement placement) =>
        new(graphs, _pool, new ImageLoader(), options: new EngineOptions { StepPlacement = placement });

    /// <summary>Starts a dream and runs it to the end; returns the last step's loss.</summary>
    private static async Task<double> Dream(DeepDreamEngine engine, DreamSettings settings, params NamedImage[] extras)
    {
        var start = await engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), extras, settings.ToJson()));
        var done = await engine.RunChunkAsync(start.State, int.MaxValue);
        Assert.True(done.Progress.IsComplete);
        Assert.True(double.IsFinite(done.Progress.Loss));
        return done.Progress.Loss;
    }

    private static string Layers(float layer2, float layer3) =>
        string.Create(CultureInfo.InvariantCulture, $"layer2:{layer2:R},layer3:{layer3:R}");

    [Fact]
    public async Task Fifty_weight_sets_and_channel_selections_compile_no_graph_and_open_no_session()
    {
        var graphs = new CatalogGraphSource(ModelCatalog.Locate(), cacheDirectory: _cacheDirectory);
        var host = Engine(graphs, StepPlacement.Host);
        var device = Engine(graphs, StepPlacement.Device);
        var guide = new NamedImage(DeepDreamEngine.GuideRole, "guide.png", TestImages.PatternPng(40, 48));
        // One octave of 56x72: untiled at tile size 512, two tiles at 64.
        var baseline = new DreamSettings { Layers = Layers(1f, 1f), Octaves = 1, Iterations = 1, Jitter = 4, TileSize = 512, Seed = 3 };

        // The first dreams compile the graphs (plain, guided, guide features) and open the sessions,
        // the device path's step graphs included.
        var unit = await Dream(host, baseline);
        await Dream(device, baseline);
        await Dream(host, baseline, guide);
        var files = Directory.GetFiles(_cacheDirectory).Order(StringComparer.Ordinal).ToList();
        var created = _pool.CreatedCount;
        var parts = files.Where(f => Path.GetFileName(f).Contains(".pool", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, files.Count(f => f.EndsWith(".onnx", StringComparison.Ordinal)) - parts.Count);
        // The plain and guided gradient graphs split at the stem's max-pool (the CPU runs the pool in managed code): three parts each.
        Assert.Equal(6, parts.Count);

        var losses = new HashSet<double>();
        for (var i = 0; i < WeightSets; i++)
        {
            var guided = i % 5 == 4;
            var settings = baseline with
            {
                Layers = Layers(0.25f + 0.05f * i, 1.5f - 0.02f * i),
                Channels = guided || i % 2 == 0 ? null : [i, (3 * i + 1) % Layer2Channels, Layer2Channels - 1],
                TileSize = i % 3 == 2 ? DreamSettings.MinTileSize : baseline.TileSize,
            };
            losses.Add(guided ? await Dream(host, settings, guide) : await Dream(i % 3 == 1 ? device : host, settings));
        }

        Assert.Equal(files, Directory.GetFiles(_cacheDirectory).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(created, _pool.CreatedCount);
        Assert.InRange(_pool.Count, 1, _pool.Options.MaxSessions);
        Assert.Equal(WeightSets, losses.Count);

        // And the weights are not ignored: twice every weight, twice the objective.
        var doubled = await Dream(host, baseline with { Layers = Layers(2f, 2f) });
        Assert.InRange(doubled / unit, 2 - ScalingTolerance, 2 + ScalingTolerance);
        Assert.Equal(created, _pool.CreatedCount);
    }

    public static TheoryData<StepPlacement, int> Paths() => new()
    {
        { StepPlacement.Host, 512 },
        { StepPlacement.Device, 512 },
        { StepPlacement.Host, DreamSettings.MinTileSize },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Weights_and_channels_reach_every_step_path(StepPlacement placement, int tileSize)
    {
        var engine = Engine(new ToyGraphSource(), placement);
        var settings = new DreamSettings
        {
            Model = ToyGraphSource.Model, Layers = ToyGraphs.Tap, Octaves = 1, Iterations = 1, Jitter = 3, TileSize = tileSize, Seed = 8,
        };

        var unit = await Dream(engine, settings);
        // The toy scales its loss by w C / sum(mask): a weight of 2 doubles it exactly.
        Assert.Equal(2 * unit, await Dream(engine, settings with { Layers = ToyGraphs.Tap + ":2" }));
        // Selecting every channel is no selection; selecting one is another objective.
        Assert.Equal(unit, await Dream(engine, settings with { Channels = Enumerable.Range(0, ToyGraphs.TapChannels).ToArray() }));
        Assert.NotEqual(unit, await Dream(engine, settings with { Channels = [1] }));
    }

    [Theory]
    [InlineData(StepPlacement.Host)]
    [InlineData(StepPlacement.Device)]
    public async Task Chunked_runs_with_weights_and_channels_give_the_same_pixels_as_one_run(StepPlacement placement)
    {
        var engine = Engine(new ToyGraphSource(), placement);
        var settings = new DreamSettings
        {
            Model = ToyGraphSource.Model, Layers = ToyGraphs.Tap + ":-0.6", Channels = [0, 2], Octaves = 2, OctaveScale = 1.3f,
            Iterations = 3, Jitter = 5, TileSize = 64, Step = 0.05f, Seed = 21,
        };
        var start = await engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), [], settings.ToJson()));

        var whole = start;
        while (!whole.Progress.IsComplete) whole = await engine.RunChunkAsync(whole.State, int.MaxValue);
        var ones = start;
        while (!ones.Progress.IsComplete) ones = await engine.RunChunkAsync(ones.State, 1);

        Assert.Equal(whole.State, ones.State);
        Assert.NotEqual(start.State, whole.State);
    }

    [Fact]
    public async Task A_channel_outside_the_layer_is_refused_at_start()
    {
        var engine = Engine(new ToyGraphSource(), StepPlacement.Host);
        var settings = new DreamSettings { Model = ToyGraphSource.Model, Layers = ToyGraphs.Tap, Channels = [ToyGraphs.TapChannels] };
        var ex = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(40, 40), [], settings.ToJson())));
        Assert.Equal("channels", ex.Field);
        Assert.Contains("out of range", ex.Message, StringComparison.Ordinal);
    }
}
