using System.Diagnostics;
using System.Text.Json.Nodes;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Tests.Style;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Engine.Video;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Video;

public sealed class VideoStyleEngineTests(StyleTestKit kit, ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    // The Done-when measurement at a size a test affords: a 2 s pan at 6 fps (12 frames) of 80x60.
    private const int PanWidth = 80;
    private const int PanHeight = 60;
    private const int PanFrames = 12;
    private const int PanFps = 6;
    private const int PanStep = 3;

    private StyleTestKit Kit => kit;

    private VideoStyleEngine Engine() => new(Kit.Graphs, Kit.Pool, new ImageLoader());

    internal static string Parameters(string coherence, int first, int later, int maxSize, double? fps = null, long seed = 1)
    {
        var json = new JsonObject
        {
            [VideoSchema.Coherence] = coherence,
            [VideoSchema.FirstFrameIterations] = first,
            [VideoSchema.Iterations] = later,
            [VideoSchema.MaxSize] = maxSize,
            ["seed"] = seed,
        };
        if (fps is { } f) json[VideoSchema.Fps] = f;
        return json.ToJsonString();
    }

    internal static async Task<(EngineCheckpoint Last, MemoryOutputs Outputs)> RunAsync(IArtworkEngine engine, byte[] clip, IReadOnlyList<NamedImage> extras, string parameters, Func<int, int> chunk)
    {
        var outputs = new MemoryOutputs();
        var current = await engine.StartAsync(new ArtworkInputs(clip, extras, parameters));
        var chunks = 0;
        while (!current.Progress.IsComplete)
        {
            current = await engine.RunChunkAsync(current.State, chunk(chunks++));
            outputs.Take(current);
        }
        return (current, outputs);
    }

    [Fact]
    public async Task Flow_at_least_halves_the_temporal_error_of_a_known_pan_and_keeps_the_style_loss_within_one_and_a_half()
    {
        var clip = await VideoMeasurements.PanClipAsync(Kit.Sample("content/mountain_landscape.jpg"), PanWidth, PanHeight, PanFrames, PanStep, PanFps);
        var engine = Engine();
        var styles = new[] { StyleTestKit.Style(Kit.StarryNight) };

        var watch = Stopwatch.StartNew();
        var (flowLast, flow) = await RunAsync(engine, clip, styles, Parameters(CoherenceModes.Flow, 40, 15, PanWidth), _ => 1000);
        var flowSeconds = watch.Elapsed.TotalSeconds;
        var (noneLast, none) = await RunAsync(engine, clip, styles, Parameters(CoherenceModes.None, 40, 15, PanWidth), _ => 1000);

        Assert.Equal(PanFrames, flow.FrameCount);
        Assert.Equal(PanFrames, none.FrameCount);
        var flowError = VideoMeasurements.PanTemporalError(Frames(flow), PanStep);
        var noneError = VideoMeasurements.PanTemporalError(Frames(none), PanStep);
        var flowLosses = VideoEngineBase.FrameLosses(flowLast.State);
        var noneLosses = VideoEngineBase.FrameLosses(noneLast.State);
        output.WriteLine($"temporal error: flow {flowError:F4}, none {noneError:F4}, ratio {flowError / noneError:F3}; flow run {flowSeconds:F1} s");
        for (var k = 0; k < PanFrames; k++) output.WriteLine($"frame {k}: style loss flow {flowLosses[k]:G4}, none {noneLosses[k]:G4}, ratio {flowLosses[k] / noneLosses[k]:F2}");

        Assert.True(flowError <= noneError / 2, $"flow's temporal error {flowError:F4} is more than half of none's {noneError:F4}");
        for (var k = 0; k < PanFrames; k++)
        {
            Assert.True(flowLosses[k] <= 1.5 * noneLosses[k], $"frame {k}: style loss {flowLosses[k]:G4} with flow, {noneLosses[k]:G4} without");
        }
    }

    [Fact]
    public async Task A_clip_cut_into_single_iteration_chunks_gives_the_same_frames_and_the_checkpoint_carries_the_previous_result()
    {
        var clip = await VideoMeasurements.PanClipAsync(Kit.Sample("content/cat_chelsea.png"), 48, 32, 4, 2, 4);
        var engine = Engine();
        var styles = new[] { StyleTestKit.Style(Kit.Scream) };
        var parameters = Parameters(CoherenceModes.Flow, 4, 3, 48);

        var (_, whole) = await RunAsync(engine, clip, styles, parameters, _ => 1000);
        var (_, pieces) = await RunAsync(engine, clip, styles, parameters, _ => 1);
        Assert.Equal(4, whole.FrameCount);
        for (var k = 0; k < 4; k++) Assert.Equal(whole.Frame(k), pieces.Frame(k));

        // Within frame 2: the state says which frame it is and holds the warped previous result and its mask.
        var current = await engine.StartAsync(new ArtworkInputs(clip, styles, parameters));
        Assert.Equal((1, 4, 13), (current.Progress.Phase, current.Progress.PhaseCount, current.Progress.TotalIterations));
        current = await engine.RunChunkAsync(current.State, 1000);
        current = await engine.RunChunkAsync(current.State, 1);
        Assert.Equal(2, current.Progress.Phase);
        Assert.Equal(5, current.Progress.CompletedIterations);
        var state = VideoState.Deserialize(current.State);
        Assert.Equal(1, state.Frame);
        Assert.NotNull(state.Warped);
        Assert.NotNull(state.Mask);
        Assert.Contains(state.Mask!, m => m == 1f);
    }

    [Fact]
    public async Task The_cup_clip_with_flow_has_at_most_half_the_masked_temporal_error_and_its_video_keeps_frames_rate_and_sound()
    {
        var clip = File.ReadAllBytes(Path.Combine(Kit.Samples, "video", "cup_3s.mp4"));
        var engine = Engine();
        var styles = new[] { StyleTestKit.Style(Kit.StarryNight) };
        const int size = 64, fps = 5, frames = 15;

        var (flowLast, flow) = await RunAsync(engine, clip, styles, Parameters(CoherenceModes.Flow, 30, 12, size, fps), _ => 1000);
        var (_, none) = await RunAsync(engine, clip, styles, Parameters(CoherenceModes.None, 30, 12, size, fps), _ => 1000);
        Assert.Equal(frames, flow.FrameCount);

        var sources = VideoState.Deserialize(flowLast.State) is var state
            ? state.Sources.Select(f => { using var image = NeuralArt.Engine.Tensors.ImageTensorConversions.FromRgbBytes(f, state.Width, state.Height); return ImageWriter.Encode(image, RenderFormat.Png); }).ToList()
            : [];
        var flowError = VideoMeasurements.FlowTemporalError(Frames(flow), sources);
        var noneError = VideoMeasurements.FlowTemporalError(Frames(none), sources);
        output.WriteLine($"cup, masked temporal error: flow {flowError:F4}, none {noneError:F4}, ratio {flowError / noneError:F3}");
        Assert.True(flowError <= noneError / 2, $"flow's temporal error {flowError:F4} is more than half of none's {noneError:F4}");

        await engine.FinishAsync(flowLast.State, flow);
        var folder = Directory.CreateTempSubdirectory("video-test-").FullName;
        try
        {
            var mp4 = Path.Combine(folder, "video.mp4");
            await File.WriteAllBytesAsync(mp4, flow.Files["video.mp4"].Content);
            var probe = Run("ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=codec_type,codec_name,pix_fmt,nb_read_frames,r_frame_rate", "-of", "csv=p=0", mp4);
            output.WriteLine(probe);
            Assert.Contains($"h264,video,yuv420p,{fps}/1,{frames}", probe.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("aac,audio", probe, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        using var gif = SixLabors.ImageSharp.Image.Load(flow.Files["preview.gif"].Content);
        Assert.Equal(frames, gif.Frames.Count);
        Assert.True(Math.Max(gif.Width, gif.Height) <= 320);
    }

    [Fact]
    public void The_plan_counts_every_frame_and_refuses_what_is_not_a_video_or_over_the_caps()
    {
        var engine = Engine();
        var style = new InputHeader(NeuralArt.Engine.Style.NeuralStyleEngine.StyleRole, "starry", 752, 600);
        var video = new InputHeader(VideoClip.Role, "cup", 320, 240) { Frames = 47, Seconds = 47 / 15.0 };
        var plan = engine.Plan(new PlanRequest(Parameters(CoherenceModes.Flow, 50, 20, 128, fps: 5), [video, style], new EngineLimits()));
        // 3.13 s at 5 fps: 15 frames, the first with 50 iterations, 14 with 20.
        Assert.Equal(15, plan.Stages.Count);
        Assert.Equal(50 + 14 * 20, plan.Cost.Iterations);
        Assert.Equal((128, 96), (plan.Stages[0].Width, plan.Stages[0].Height));

        var still = new InputHeader(VideoClip.Role, "photo", 320, 240);
        Assert.Equal(VideoClip.Role, Assert.Throws<InvalidArtworkInputException>(() => engine.Plan(new PlanRequest(Parameters(CoherenceModes.Flow, 5, 5, 64), [still, style], new EngineLimits()))).Field);
        Assert.Equal(VideoClip.Role, Assert.Throws<InvalidArtworkInputException>(() => engine.Plan(new PlanRequest(Parameters(CoherenceModes.Flow, 5, 5, 64), [video, style], new EngineLimits { MaxVideoFrames = 46 }))).Field);
        Assert.Equal(VideoClip.Role, Assert.Throws<InvalidArtworkInputException>(() => engine.Plan(new PlanRequest(Parameters(CoherenceModes.Flow, 5, 5, 64), [video, style], new EngineLimits { MaxVideoSeconds = 3 }))).Field);
        Assert.Equal(VideoSchema.Fps, Assert.Throws<InvalidArtworkInputException>(() => engine.Plan(new PlanRequest(Parameters(CoherenceModes.Flow, 5, 5, 64, fps: 30), [video, style], new EngineLimits()))).Field);
    }

    [Fact]
    public void Both_video_descriptors_take_a_clip_describe_every_parameter_and_plan_their_defaults()
    {
        var video = new InputHeader(VideoClip.Role, "cup", 320, 240) { Frames = 47, Seconds = 47 / 15.0 };
        var style = new InputHeader(NeuralArt.Engine.Style.NeuralStyleEngine.StyleRole, "starry", 752, 600);
        foreach (var (engine, inputs) in new (IArtworkEngine, InputHeader[])[] { (Engine(), [video, style]), (new VideoDreamEngine(Kit.Graphs, Kit.Pool, new ImageLoader()), [video]) })
        {
            var d = engine.Describe(new EngineLimits());
            Assert.Equal(VideoClip.Role, d.Inputs[0].Role);
            Assert.Equal(VideoClip.Role, d.PrimaryRole);
            Assert.Equal("frame", d.Stage);
            Assert.All(d.Parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.Help)));
            Assert.Equal(d.Parameters.Count, d.Parameters.Select(p => p.Name).Distinct().Count());
            Assert.Equal(["frames", "preview", "video"], d.Outputs.Select(o => o.Name));
            var defaults = new JsonObject(d.Parameters.Where(p => p.Default is not null).Select(p => KeyValuePair.Create(p.Name, (JsonNode?)p.Default!.DeepClone())));
            var plan = engine.Plan(new PlanRequest(defaults.ToJsonString(), inputs, new EngineLimits()));
            Assert.Equal(47, plan.Stages.Count);
        }
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return text;
    }

    private static List<byte[]> Frames(MemoryOutputs outputs) => Enumerable.Range(0, outputs.FrameCount).Select(outputs.Frame).ToList();
}
