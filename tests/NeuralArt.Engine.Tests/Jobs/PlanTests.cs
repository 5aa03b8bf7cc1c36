using System.Text.Json.Nodes;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tests.TestSupport;

namespace NeuralArt.Engine.Tests.Jobs;

/// <summary>
/// The engines' plan steps on the toy network (one 1x1 convolution, 3 -> 4 channels: 12 multiply-adds
/// per pixel forward, 24 per gradient step): every field's refusal, host caps that lower ranges,
/// effective settings, and cost figures against counts done by hand.
/// </summary>
public sealed class PlanTests : IDisposable
{
    private const int ToyForwardMacsPerPixel = 3 * 4;
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
    private readonly DeepDreamEngine _dream;
    private readonly NeuralStyleEngine _style;
    private static readonly EngineLimits Limits = new();

    public PlanTests()
    {
        var options = new EngineOptions { Model = ToyGraphSource.Model };
        _dream = new DeepDreamEngine(new ToyGraphSource(), _pool, new ImageLoader(), options: options);
        _style = new NeuralStyleEngine(new ToyGraphSource(), _pool, new ImageLoader(), options: options);
    }

    public void Dispose() => _pool.Dispose();

    private static InputHeader Source(int width = 100, int height = 80) => new(EngineDescriptor.SourceRole, "uploads/cat.png", width, height);

    private static InputHeader StyleImage(int width = 60, int height = 60) => new(NeuralStyleEngine.StyleRole, "styles/starry.jpg", width, height);

    [Fact]
    public void A_dream_plan_fills_every_default_draws_a_seed_and_resolves_model_and_taps()
    {
        var plan = _dream.Plan(new PlanRequest("{}", [Source()], Limits));
        var effective = JsonNode.Parse(plan.ParametersJson)!.AsObject();

        Assert.Equal(ToyGraphSource.Model, plan.Model);
        Assert.Equal(ToyGraphSource.Model, effective["model"]!.GetValue<string>());
        Assert.Equal($"{ToyGraphs.Tap}:1", effective["layers"]!.GetValue<string>());
        Assert.True(effective["seed"]!.GetValue<long>() >= 0);
        Assert.Equal(DreamSettings.DefaultOctaves, effective["octaves"]!.GetValue<int>());

        // Submitting the effective parameters again plans the same job (same seed, same stages).
        var again = _dream.Plan(new PlanRequest(plan.ParametersJson, [Source()], Limits));
        Assert.Equal(plan.ParametersJson, again.ParametersJson);
        Assert.Equal(plan.Stages, again.Stages);
    }

    [Fact]
    public void A_dream_plan_counts_its_cost_as_by_hand()
    {
        var plan = _dream.Plan(new PlanRequest("""{"octaves":2,"octaveScale":2,"iterations":3,"seed":1}""", [Source(100, 80)], Limits));

        // Octaves 50x40 and 100x80 (the photo fits maxSize as it is), 3 iterations each.
        Assert.Equal([new StageSize(50, 40, 3), new StageSize(100, 80, 3)], plan.Stages);
        Assert.Equal(6, plan.Cost.Iterations);
        Assert.Equal(3L * (50 * 40 + 100 * 80), plan.Cost.PixelIterations);
        Assert.Equal(3.0 * 2 * ToyForwardMacsPerPixel * (50 * 40 + 100 * 80), plan.Cost.MultiplyAdds);
        Assert.Equal(100 * 80, plan.Cost.WorkingPixels);
        // Checkpoint: header allowance + the photo's RGB bytes + the float image.
        Assert.Equal(16 * 1024 + 3L * 8000 + 12L * 8000, plan.Cost.CheckpointBytes);
        Assert.True(plan.Cost.PeakMemoryBytes > plan.Cost.CheckpointBytes);
    }

    public static TheoryData<string, string> BadDreamParameters => new()
    {
        { """{"iterations":-1}""", "iterations" },
        { """{"iterations":1001}""", "iterations" },
        { """{"iterations":2.5}""", "iterations" },
        { """{"iterations":"10"}""", "iterations" },
        { """{"octaves":0}""", "octaves" },
        { """{"octaveScale":1.0}""", "octaveScale" },
        { """{"step":0}""", "step" },
        { """{"jitter":1000000000}""", "jitter" },
        { """{"seed":-1}""", "seed" },
        { """{"model":"/tmp/x"}""", "model" },
        { """{"model":"resnet18"}""", "model" },
        { """{"layers":"nope"}""", "layers" },
        { """{"layers":"r:0"}""", "layers" },
        { """{"channels":[9]}""", "channels" },
        { """{"channels":[]}""", "channels" },
        { """{"maxSize":9000}""", "maxSize" },
        { """{"bogus":1}""", "bogus" },
        { """{"octaves":12,"octaveScale":1.0001,"iterations":1000}""", "iterations" },
        { """[1]""", "parameters" },
        { """{"iterations":""", "parameters" },
    };

    [Theory]
    [MemberData(nameof(BadDreamParameters))]
    public void A_dream_plan_refuses_each_bad_parameter_naming_it(string json, string field)
    {
        var e = Assert.Throws<InvalidArtworkInputException>(() => _dream.Plan(new PlanRequest(json, [Source()], Limits)));
        Assert.Equal(field, e.Field);
        Assert.DoesNotContain("/work", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dream_plan_refuses_bad_inputs_naming_the_role()
    {
        InvalidArtworkInputException Refusal(params InputHeader[] inputs) =>
            Assert.Throws<InvalidArtworkInputException>(() => _dream.Plan(new PlanRequest("{}", inputs, Limits)));

        Assert.Equal("source", Refusal().Field);
        Assert.Equal("source", Refusal(Source(), Source()).Field);
        Assert.Equal("source", Refusal(Source(20, 10)).Field);
        Assert.Equal("style", Refusal(Source(), StyleImage()).Field);
        var guide = new InputHeader(DeepDreamEngine.GuideRole, "uploads/g.png", 50, 50);
        Assert.Equal("guide", Refusal(Source(), guide, guide).Field);
        var withChannels = Assert.Throws<InvalidArtworkInputException>(() => _dream.Plan(new PlanRequest("""{"channels":[1]}""", [Source(), guide], Limits)));
        Assert.Equal("channels", withChannels.Field);
    }

    [Fact]
    public void Host_caps_lower_the_ranges_and_a_request_cannot_raise_them()
    {
        var caps = new EngineLimits { MaxIterations = 20, MaxWorkingPixels = 64 * 64, MaxCheckpointBytes = 1L << 30 };
        var descriptor = _dream.Describe(caps);
        Assert.Equal(20, descriptor.Parameter("iterations")!.Maximum);
        Assert.Equal(64, descriptor.Parameter("maxSize")!.Maximum);

        Assert.Equal("iterations", Assert.Throws<InvalidArtworkInputException>(() => _dream.Plan(new PlanRequest("""{"iterations":21}""", [Source()], caps))).Field);
        // 2 octaves x 11 iterations is within the per-octave range but over the job's cap.
        Assert.Equal("iterations", Assert.Throws<InvalidArtworkInputException>(() => _dream.Plan(new PlanRequest("""{"octaves":2,"iterations":11,"maxSize":64}""", [Source()], caps))).Field);
        Assert.Equal("maxSize", Assert.Throws<InvalidArtworkInputException>(() => _dream.Plan(new PlanRequest("""{"maxSize":100}""", [Source()], caps))).Field);

        var tiny = new EngineLimits { MaxCheckpointBytes = 1024 };
        Assert.Equal("maxSize", Assert.Throws<InvalidArtworkInputException>(() => _dream.Plan(new PlanRequest("{}", [Source()], tiny))).Field);
    }

    [Fact]
    public void A_style_plan_counts_its_cost_as_by_hand()
    {
        var plan = _style.Plan(new PlanRequest("""{"scales":[64],"iterations":5,"seed":3}""", [Source(100, 80), StyleImage(60, 60)], Limits));

        // The photo is resized to 64x51 (80 * 64 / 100 = 51.2); the style image (60x60) fits the 64 px style side as it is.
        Assert.Equal([new StageSize(64, 51, 5)], plan.Stages);
        // The optimizer and the content target work on the canvas: a reflected margin of 64 / 16 = 4 px on each side.
        const int Pixels = (64 + 8) * (51 + 8);
        const double LbfgsEvaluationsPerIteration = 1.05;
        var expected = LbfgsEvaluationsPerIteration * 5 * 2 * ToyForwardMacsPerPixel * Pixels // optimizer evaluations
            + ToyForwardMacsPerPixel * Pixels // content targets
            + ToyForwardMacsPerPixel * 60 * 60; // style Gram targets
        Assert.Equal(expected, plan.Cost.MultiplyAdds, 6);
        Assert.Equal(5L * Pixels, plan.Cost.PixelIterations);
        var effective = JsonNode.Parse(plan.ParametersJson)!.AsObject();
        Assert.Equal($"{ToyGraphs.Tap}:1", effective["styleLayers"]!.GetValue<string>());
        Assert.Equal(3, effective["seed"]!.GetValue<long>());
    }

    public static TheoryData<string, string> BadStyleParameters => new()
    {
        { """{"scales":[512,256]}""", "scales" },
        { """{"scales":[64,8192],"iterations":5000}""", "scales" },
        { """{"scales":[64,128,256,512,1024,2048,4096],"iterations":5000}""", "iterations" },
        { """{"optimizerMemoryMb":1048576}""", "optimizerMemoryMb" },
        { """{"styleWeight":0}""", "styleWeight" },
        { """{"styleBlend":[1,1]}""", "styleBlend" },
        { """{"optimizer":"sgd"}""", "optimizer" },
        { """{"styleLayers":"nope"}""", "styleLayers" },
        { """{"init":"image"}""", "init" },
        { """{"smoothingLayers":"a\u0001b"}""", "smoothingLayers" },
    };

    [Theory]
    [MemberData(nameof(BadStyleParameters))]
    public void A_style_plan_refuses_each_bad_parameter_naming_it(string json, string field)
    {
        var e = Assert.Throws<InvalidArtworkInputException>(() => _style.Plan(new PlanRequest(json, [Source(), StyleImage()], Limits)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void A_style_plan_needs_a_style_image()
    {
        Assert.Equal("style", Assert.Throws<InvalidArtworkInputException>(() => _style.Plan(new PlanRequest("{}", [Source()], Limits))).Field);
    }

    [Fact]
    public void Descriptors_name_roles_stages_and_every_parameter_with_help()
    {
        foreach (IArtworkEngine engine in new IArtworkEngine[] { _dream, _style })
        {
            var d = engine.Describe(Limits);
            Assert.Equal(EngineDescriptor.SourceRole, d.Inputs[0].Role);
            Assert.False(string.IsNullOrWhiteSpace(d.Stage));
            Assert.All(d.Parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.Help)));
            Assert.Equal(d.Parameters.Count, d.Parameters.Select(p => p.Name).Distinct().Count());
            // Every default passes the engine's own checks.
            var defaults = new JsonObject(d.Parameters.Where(p => p.Default is not null).Select(p => KeyValuePair.Create(p.Name, (JsonNode?)p.Default!.DeepClone())));
            var inputs = d.Kind == ArtworkKinds.Style ? new[] { Source(), StyleImage() } : new[] { Source() };
            engine.Plan(new PlanRequest(defaults.ToJsonString(), inputs, Limits));
        }
    }
}
