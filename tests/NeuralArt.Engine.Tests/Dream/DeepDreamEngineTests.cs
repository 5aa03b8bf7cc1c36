using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Dream;

/// <summary>The DeepDream engine on the toy graphs: chunking, octaves, validation.</summary>
public class DeepDreamEngineTests : IDisposable
{
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
    private readonly DeepDreamEngine _engine;

    public DeepDreamEngineTests() => _engine = new DeepDreamEngine(new ToyGraphSource(), _pool, new ImageLoader());

    public void Dispose() => _pool.Dispose();

    private static DreamSettings Small => new()
    {
        Model = ToyGraphSource.Model,
        Layers = ToyGraphs.Tap,
        Octaves = 3,
        OctaveScale = 1.3f,
        Iterations = 4,
        Jitter = 5,
        // The largest octave (56x72) is split into two tiles; the smaller ones are not.
        TileSize = 64,
        Step = 0.05f,
        Seed = 99,
    };

    private static ArtworkInputs Inputs(DreamSettings settings, params NamedImage[] extras) =>
        new(TestImages.PatternPng(72, 56), extras, settings.ToJson());

    private DeepDreamEngine Engine(StepPlacement placement) =>
        new(new ToyGraphSource(), _pool, new ImageLoader(), options: new EngineOptions { StepPlacement = placement });

    private Task<EngineCheckpoint> RunInChunks(EngineCheckpoint start, Func<int, int> chunkSize) => RunInChunks(_engine, start, chunkSize);

    private static async Task<EngineCheckpoint> RunInChunks(DeepDreamEngine engine, EngineCheckpoint start, Func<int, int> chunkSize)
    {
        var current = start;
        for (var call = 0; !current.Progress.IsComplete; call++)
        {
            current = await engine.RunChunkAsync(current.State, chunkSize(call));
        }
        return current;
    }

    [Theory]
    [InlineData(false, StepPlacement.Host)]
    [InlineData(true, StepPlacement.Host)]
    [InlineData(false, StepPlacement.Device)]
    [InlineData(true, StepPlacement.Device)]
    public async Task Chunked_runs_give_the_same_pixels_as_one_run(bool guided, StepPlacement placement)
    {
        var engine = Engine(placement);
        NamedImage[] extras = guided ? [new NamedImage("guide", "guide.png", TestImages.PatternPng(30, 20))] : [];
        var start = await engine.StartAsync(Inputs(Small, extras));

        var whole = await RunInChunks(engine, start, _ => int.MaxValue);
        var ones = await RunInChunks(engine, start, _ => 1);
        var mixed = await RunInChunks(engine, start, call => call % 3 + 2);

        Assert.Equal(Small.Octaves * Small.Iterations, whole.Progress.CompletedIterations);
        Assert.Equal(whole.State, ones.State);
        Assert.Equal(whole.State, mixed.State);
        Assert.Equal(await engine.RenderAsync(whole.State, RenderFormat.Png), await engine.RenderAsync(ones.State, RenderFormat.Png));
        Assert.NotEqual(start.State, whole.State);
    }

    [Fact]
    public async Task A_chunk_returns_its_effective_settings_and_the_preview_of_its_image()
    {
        const int PreviewSide = 32;
        var start = await _engine.StartAsync(Inputs(Small));
        var chunk = await _engine.RunChunkAsync(start.State, 2, previewMaxSide: PreviewSide);

        Assert.Equal(Small.ToJson(), chunk.SettingsJson);
        Assert.NotNull(chunk.Preview);
        // The same picture the state renders, made from the state in memory instead of a second decode.
        Assert.Equal(await _engine.RenderAsync(chunk.State, RenderFormat.Jpeg, PreviewSide), chunk.Preview);
        using var preview = SixLabors.ImageSharp.Image.Load(chunk.Preview);
        Assert.Equal(PreviewSide, Math.Max(preview.Width, preview.Height));
        Assert.Null((await _engine.RunChunkAsync(start.State, 1)).Preview);
    }

    [Fact]
    public async Task Device_resident_steps_match_host_steps()
    {
        // Same algorithm, different arithmetic (float32 ReduceMean on the device, a double mean on
        // the host): the images agree to float rounding, not bit for bit.
        var settings = Small with { TileSize = 512 };
        var host = Engine(StepPlacement.Host);
        var device = Engine(StepPlacement.Device);
        var start = await host.StartAsync(Inputs(settings));

        var onHost = await RunInChunks(host, start, _ => 3);
        var onDevice = await RunInChunks(device, start, _ => 3);

        var a = await Pixels(host, onHost);
        var b = await Pixels(device, onDevice);
        Assert.Equal(a.Length, b.Length);
        var worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= 2, $"largest pixel difference {worst}/255");
        Assert.NotEqual(await Pixels(host, start), a);
    }

    private async Task<byte[]> Pixels(DeepDreamEngine engine, EngineCheckpoint checkpoint)
    {
        using var image = new ImageLoader().Decode(await engine.RenderAsync(checkpoint.State, RenderFormat.Png), "x");
        return NeuralArt.Engine.Tensors.ImageTensorConversions.ToRgbBytes(image);
    }

    [Fact]
    public async Task Chunks_stop_at_octave_ends_and_report_every_iteration()
    {
        var start = await _engine.StartAsync(Inputs(Small));
        Assert.Equal((1, 3, 0), (start.Progress.Phase, start.Progress.PhaseCount, start.Progress.CompletedIterations));
        Assert.Equal((33, 43), (start.Progress.Height, start.Progress.Width));
        var reports = new List<EngineProgress>();

        var first = await _engine.RunChunkAsync(start.State, 100, new SyncProgress(reports.Add));

        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.PhaseIteration));
        Assert.All(reports, r => Assert.Equal(1, r.Phase));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss) && r.Loss > 0));
        // The checkpoint after an octave's last step is the next octave's start, detail carried.
        Assert.Equal((2, 0, 4, false), (first.Progress.Phase, first.Progress.PhaseIteration, first.Progress.CompletedIterations, first.Progress.IsComplete));
        Assert.Equal((43, 55), (first.Progress.Height, first.Progress.Width));

        var done = await RunInChunks(first, _ => 100);
        Assert.True(done.Progress.IsComplete);
        Assert.Equal((56, 72), (done.Progress.Height, done.Progress.Width));
        var again = await _engine.RunChunkAsync(done.State, 5);
        Assert.Equal(done.State, again.State);
    }

    [Fact]
    public async Task Dreaming_raises_the_objective()
    {
        var settings = Small with { Octaves = 1, Iterations = 8 };
        var start = await _engine.StartAsync(Inputs(settings));
        var reports = new List<EngineProgress>();
        await _engine.RunChunkAsync(start.State, 100, new SyncProgress(reports.Add));
        Assert.True(reports[^1].Loss > 1.5 * reports[0].Loss, $"loss went from {reports[0].Loss} to {reports[^1].Loss}");
    }

    [Fact]
    public async Task Seed_is_chosen_and_recorded_when_absent()
    {
        var start = await _engine.StartAsync(Inputs(Small with { Seed = null }));
        var info = _engine.Inspect(start.State);
        Assert.NotNull(info.Settings.Seed);
        Assert.Equal((72, 56), (info.Width, info.Height));
        Assert.Equal(3, info.OctaveSizes.Count);
    }

    [Fact]
    public async Task Large_inputs_are_scaled_to_max_size()
    {
        var start = await _engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(300, 150), [], (Small with { MaxSize = 100 }).ToJson()));
        var info = _engine.Inspect(start.State);
        Assert.Equal((100, 50), (info.Width, info.Height));
    }

    [Fact]
    public async Task Render_encodes_and_limits_the_side()
    {
        var start = await _engine.StartAsync(Inputs(Small));
        var loader = new ImageLoader();
        var png = await _engine.RenderAsync(start.State, RenderFormat.Png);
        Assert.Equal(new ImageHeader(43, 33, "PNG"), loader.Identify(png, "x"));
        var jpeg = await _engine.RenderAsync(start.State, RenderFormat.Jpeg, maxSide: 20);
        var header = loader.Identify(jpeg, "x");
        Assert.Equal(("JPEG", 20), (header.Format, Math.Max(header.Width, header.Height)));
    }

    [Theory]
    [InlineData("{\"model\": \"nope\"}", "model")]
    [InlineData("{\"model\": \"toy\", \"layers\": \"layer9\"}", "layers")]
    [InlineData("{\"model\": \"toy\", \"layers\": \"toy\", \"iterations\": 0}", "iterations")]
    public async Task Bad_parameters_are_refused_at_start(string json, string field)
    {
        var ex = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(40, 40), [], json)));
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public async Task Bad_images_and_extras_are_refused_at_start()
    {
        var json = Small.ToJson();
        Assert.Equal("source", (await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _engine.StartAsync(new ArtworkInputs("not an image"u8.ToArray(), [], json)))).Field);
        Assert.Equal("source", (await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(20, 100), [], json)))).Field);
        Assert.Equal("guide", (await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _engine.StartAsync(Inputs(Small, new NamedImage("guide", "g.png", Array.Empty<byte>()))))).Field);
        Assert.Equal("style", (await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _engine.StartAsync(Inputs(Small, new NamedImage("style", "s.png", TestImages.PatternPng(40, 40)))))).Field);
        Assert.Equal("channels", (await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            _engine.StartAsync(Inputs(Small with { Channels = [1] }, new NamedImage("guide", "g.png", TestImages.PatternPng(40, 40)))))).Field);
    }

    [Fact]
    public async Task Corrupt_state_is_refused()
    {
        var start = await _engine.StartAsync(Inputs(Small));
        var truncated = start.State.AsMemory(0, start.State.Length - 7);
        var ex = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => _engine.RunChunkAsync(truncated, 1));
        Assert.Equal("state", ex.Field);
        await Assert.ThrowsAsync<InvalidArtworkInputException>(() => _engine.RunChunkAsync(new byte[] { 1, 2, 3 }, 1));
    }

    private sealed class SyncProgress(Action<EngineProgress> report) : IProgress<EngineProgress>
    {
        public void Report(EngineProgress value) => report(value);
    }
}
