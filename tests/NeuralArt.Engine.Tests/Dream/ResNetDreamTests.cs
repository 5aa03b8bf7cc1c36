using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Tests.Dream;

/// <summary>
/// The engine on the shipped ResNet-18 through the model compiler (graphs compile into the
/// repository's models/compiled cache on first use). Small images keep it to seconds.
/// </summary>
public class ResNetDreamTests : IDisposable
{
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
    private readonly CatalogGraphSource _graphs = new(ModelCatalog.Locate());

    public void Dispose() => _pool.Dispose();

    private static DreamSettings Small => new()
    {
        Layers = "layer3:1,layer2:0.5",
        Octaves = 2,
        OctaveScale = 1.4f,
        Iterations = 3,
        Jitter = 8,
        // The 72x56 octave is split into two 36-wide tiles.
        TileSize = 64,
        Seed = 5,
    };

    [Theory]
    [InlineData(StepPlacement.Host)]
    [InlineData(StepPlacement.Device)]
    public async Task Chunked_equals_unchunked_on_the_real_backbone(StepPlacement placement)
    {
        var engine = new DeepDreamEngine(_graphs, _pool, new ImageLoader(), options: new EngineOptions { StepPlacement = placement });
        var start = await engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), [], Small.ToJson()));

        var whole = start;
        while (!whole.Progress.IsComplete) whole = await engine.RunChunkAsync(whole.State, int.MaxValue);
        var ones = start;
        while (!ones.Progress.IsComplete) ones = await engine.RunChunkAsync(ones.State, 1);

        Assert.Equal(6, whole.Progress.CompletedIterations);
        Assert.True(double.IsFinite(whole.Progress.Loss) && whole.Progress.Loss > 0);
        Assert.Equal(whole.State, ones.State);
    }

    [Fact]
    public async Task Guided_dream_runs_on_the_real_backbone()
    {
        var engine = new DeepDreamEngine(_graphs, _pool, new ImageLoader());
        var settings = Small with { Layers = "layer3", Octaves = 1, Iterations = 2 };
        var guide = new NamedImage(DeepDreamEngine.GuideRole, "guide.png", TestImages.PatternPng(40, 64));
        var start = await engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(72, 56), [guide], settings.ToJson()));

        var done = await engine.RunChunkAsync(start.State, 10);

        Assert.True(done.Progress.IsComplete);
        Assert.True(double.IsFinite(done.Progress.Loss));
        Assert.NotEqual(await engine.RenderAsync(start.State, RenderFormat.Png), await engine.RenderAsync(done.State, RenderFormat.Png));
    }

    [Fact]
    public void Bound_runner_matches_a_plain_run_on_a_compiled_graph()
    {
        var manifest = _graphs.GetManifest("resnet18");
        var dream = new DreamParameters([new TapWeight("layer3", 1f)]);
        using var lease = _pool.Rent(_graphs.GetGraph(manifest, dream.Objective()).Path);
        var session = lease.Session;
        using var runner = new GradientRunner(session);
        DreamGraphInputs.Set(runner, dream, guided: false);
        var inputs = DreamGraphInputs.For(runner.InputDimensions, dream, guided: false);
        var image = TestImages.RandomTensor(45, 61, seed: 30);
        var grad = new ImageTensor(45, 61);

        var loss = runner.Run(image, grad);

        var values = new List<OrtValue>();
        try
        {
            foreach (var (data, shape) in inputs.Select(i => (i.Values, i.Shape)).Prepend((image.Data, image.Shape)))
            {
                var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, shape);
                data.CopyTo(value.GetTensorMutableDataAsSpan<float>());
                values.Add(value);
            }
            using var options = new RunOptions();
            using var outputs = session.Session.Run(options, ["image", .. inputs.Select(i => i.Name)], values, ["loss", "grad"]);
            Assert.Equal(outputs[0].GetTensorDataAsSpan<float>()[0], loss);
            Assert.Equal(outputs[1].GetTensorDataAsSpan<float>().ToArray(), grad.Data);
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
        Assert.True(TensorOps.MeanAbs(grad.Data) > 0);
    }
}
