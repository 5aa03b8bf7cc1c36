using System.Text.Json.Nodes;
using NeuralArt.Contract;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Engine.Zoom;

namespace NeuralArt.Engine.Tests.Zoom;

/// <summary>The zoom's plan on the toy network: the descriptor's ranges refuse bad motion and counts by name, the cost counts every frame.</summary>
public sealed class ZoomPlanTests : IDisposable
{
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
    private readonly ZoomEngine _engine;

    public ZoomPlanTests() => _engine = new ZoomEngine(new ToyGraphSource(), _pool, new ImageLoader(), options: new EngineOptions { Model = ToyGraphSource.Model });

    public void Dispose() => _pool.Dispose();

    private static readonly InputHeader Photo = new(EngineDescriptor.SourceRole, "photo.jpg", 1024, 768);

    private JobPlan Plan(string json, EngineLimits? limits = null) => _engine.Plan(new PlanRequest(json, [Photo], limits ?? new EngineLimits()));

    [Theory]
    [InlineData("{\"frames\": 601}", ZoomSchema.Frames)]
    [InlineData("{\"frames\": 0}", ZoomSchema.Frames)]
    [InlineData("{\"zoom\": 1}", ZoomSchema.Zoom)]
    [InlineData("{\"zoom\": 0.9}", ZoomSchema.Zoom)]
    [InlineData("{\"zoom\": 1.6}", ZoomSchema.Zoom)]
    [InlineData("{\"rotate\": 31}", ZoomSchema.Rotate)]
    [InlineData("{\"rotate\": -45}", ZoomSchema.Rotate)]
    [InlineData("{\"shiftX\": 1000}", ZoomSchema.ShiftX)]
    [InlineData("{\"fps\": 0}", ZoomSchema.Fps)]
    [InlineData("{\"fps\": 61}", ZoomSchema.Fps)]
    [InlineData("{\"animations\": \"avi\"}", ZoomSchema.Animations)]
    [InlineData("{\"channels\": [1]}", DreamSchema.Channels)]
    [InlineData("{\"octaves\": 0}", DreamSchema.Octaves)]
    public void Out_of_range_parameters_are_refused_with_their_name(string json, string field)
    {
        var ex = Assert.Throws<InvalidArtworkInputException>(() => Plan(json));
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void The_frame_cap_is_the_hosts()
    {
        var limits = new EngineLimits { MaxFrames = 10 };
        Assert.Equal(ZoomSchema.Frames, Assert.Throws<InvalidArtworkInputException>(() => Plan("{\"frames\": 11}", limits)).Field);
        Assert.Equal(10, Plan("{\"frames\": 10}", limits).Stages.Count);
        // Left out, frames is the descriptor's default: the usual count, cut to the host's cap.
        Assert.Equal(10, Plan("{}", limits).Stages.Count);
        Assert.Equal(ZoomSchema.DefaultFrames, Plan("{}").Stages.Count);
        var frames = _engine.Describe(limits).Parameters.Single(p => p.Name == ZoomSchema.Frames);
        Assert.Equal((10.0, 10), (frames.Maximum, (int)frames.Default!));
    }

    [Fact]
    public void Iterations_over_all_frames_are_held_against_the_host_cap()
    {
        // 50 frames x 2 octaves x 5 iterations = 500: each frame is well within 400, all of them are not.
        var limits = new EngineLimits { MaxIterations = 400 };
        var ex = Assert.Throws<InvalidArtworkInputException>(() => Plan("{\"frames\": 50}", limits));
        Assert.Equal(ZoomSchema.Frames, ex.Field);
        Assert.Contains("500", ex.Message);
        Assert.Equal(400, Plan("{\"frames\": 40}", limits).Cost.Iterations);
    }

    [Fact]
    public void Cost_scales_with_frames_and_the_plan_records_defaults_and_the_seed()
    {
        var one = Plan("{\"frames\": 1}");
        var ten = Plan("{\"frames\": 10}");

        Assert.Equal(10 * one.Cost.Iterations, ten.Cost.Iterations);
        Assert.Equal(10 * one.Cost.PixelIterations, ten.Cost.PixelIterations);
        Assert.Equal(10 * one.Cost.MultiplyAdds, ten.Cost.MultiplyAdds);
        // The checkpoint is one frame's, whatever the number of frames; so is the chunks' memory, but the GIF holds every frame.
        Assert.Equal(one.Cost.CheckpointBytes, ten.Cost.CheckpointBytes);
        Assert.Equal(Plan("{\"frames\": 1, \"animations\": \"mp4\"}").Cost.PeakMemoryBytes, Plan("{\"frames\": 600, \"animations\": \"mp4\"}").Cost.PeakMemoryBytes);
        Assert.True(Plan("{\"frames\": 600}").Cost.PeakMemoryBytes >= 600L * 3 * 512 * 384);
        Assert.Equal(ZoomSchema.DefaultOctaves * ZoomSchema.DefaultIterations, one.Cost.Iterations);
        // 1024x768 scaled to the zoom's default 512 px.
        Assert.Equal(512L * 384, one.Cost.WorkingPixels);
        Assert.All(ten.Stages, s => Assert.Equal((512, 384, 10), (s.Width, s.Height, s.Iterations)));

        var effective = JsonNode.Parse(ten.ParametersJson)!.AsObject();
        Assert.NotNull(effective[DreamSchema.Seed]);
        Assert.Equal(ToyGraphSource.Model, (string?)effective[DreamSchema.Model]);
        Assert.Equal(ZoomAnimations.Default, (string?)effective[ZoomSchema.Animations]);
        Assert.Equal(ZoomSchema.DefaultZoom, (double)effective[ZoomSchema.Zoom]!);
        // The recorded parameters plan again to the same job.
        Assert.Equal(ten.ParametersJson, Plan(ten.ParametersJson).ParametersJson);
    }

    [Fact]
    public void Frame_seeds_are_derived_from_the_job_seed()
    {
        var settings = new ZoomSettings { Seed = 42 };
        Assert.Equal(settings.FrameSeed(3), (settings with { Frames = 99 }).FrameSeed(3));
        Assert.NotEqual(settings.FrameSeed(0), settings.FrameSeed(1));
        Assert.NotEqual(settings.FrameSeed(1), (settings with { Seed = 43 }).FrameSeed(1));
        Assert.All(Enumerable.Range(0, 100), k => Assert.True(settings.FrameSeed(k) >= 0));
    }

    [Fact]
    public void The_descriptor_declares_the_frames_and_both_animations()
    {
        var descriptor = _engine.Describe(new EngineLimits());
        Assert.Equal(("zoom", "frame"), (descriptor.Kind, descriptor.Stage));
        Assert.Null(descriptor.SingleImage);
        Assert.Equal(
            [(OutputKinds.Frames, (string?)null), (OutputKinds.Animation, "animation.gif"), (OutputKinds.Video, "animation.mp4")],
            descriptor.Outputs.Select(o => (o.Kind, o.File)));
        var zoom = descriptor.Parameters.Single(p => p.Name == ZoomSchema.Zoom);
        Assert.True(zoom.ExclusiveMinimum);
        Assert.Equal((1.0, 1.5), (zoom.Minimum, zoom.Maximum));
        Assert.Equal(ZoomSchema.DefaultIterations, (int)descriptor.Parameters.Single(p => p.Name == DreamSchema.Iterations).Default!);
    }

    [Fact]
    public async Task A_host_cap_raised_above_the_default_is_not_refused_again_at_start()
    {
        // The door plans against the host's caps; the start checks only the engine's own ranges.
        var frames = EngineLimits.DefaultMaxFrames + 1;
        var json = $$"""{"frames":{{frames}},"octaves":1,"iterations":1,"maxSize":64,"seed":1}""";
        var raised = new EngineLimits { MaxFrames = frames * 2 };
        Assert.Equal(frames, (int)JsonNode.Parse(Plan(json, raised).ParametersJson)![ZoomSchema.Frames]!);
        Assert.Throws<InvalidArtworkInputException>(() => Plan(json));

        var photo = TestImages.PatternPng(64, 48);
        var start = await _engine.StartAsync(new ArtworkInputs(photo, [], json));
        Assert.Equal(frames, start.Progress.PhaseCount);
    }
}
