using System.Diagnostics;
using System.Text.Json.Nodes;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Tests.Style;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Engine.Video;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Video;

public sealed class VideoStyleEngineTests(ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    // The Done-when measurement at a size a test affords: a 2 s pan at 6 fps (12 frames) of 80x60.
    private const int PanWidth = 80;
    private const int PanHeight = 60;
    private const int PanFrames = 12;
    private const int PanFps = 6;
    private const int PanStep = 3;

    private StyleTestKit Kit { get; } = new();

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
        var flowLosses = VideoStyleEngine.FrameStyleLosses(flowLast.State);
        var noneLosses = VideoStyleEngine.FrameStyleLosses(noneLast.State);
        output.WriteLine($"temporal error: flow {flowError:F4}, none {noneError:F4}, ratio {flowError / noneError:F3}; flow run {flowSeconds:F1} s");
        for (var k = 0; k < PanFrames; k++) output.WriteLine($"frame {k}: style loss flow {flowLosses[k]:G4}, none {noneLosses[k]:G4}, ratio {flowLosses[k] / noneLosses[k]:F2}");

        Assert.True(flowError <= noneError / 2, $"flow's temporal error {flowError:F4} is more than half of none's {noneError:F4}");
        for (var k = 0; k < PanFrames; k++)
        {
            Assert.True(flowLosses[k] <= 1.5 * noneLosses[k], $"frame {k}: style loss {flowLosses[k]:G4} with flow, {noneLosses[k]:G4} without");
        }
    }

    private static List<byte[]> Frames(MemoryOutputs outputs) => Enumerable.Range(0, outputs.FrameCount).Select(outputs.Frame).ToList();
}
