using System.Text.Json.Nodes;
using NeuralArt.Contract;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Tests.Style;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Engine.Video;
using Xunit.Abstractions;

namespace NeuralArt.Engine.Tests.Video;

public sealed class VideoDreamEngineTests(StyleTestKit kit, ITestOutputHelper output) : IClassFixture<StyleTestKit>
{
    private const int Width = 64, Height = 48, Frames = 6, Step = 2, Fps = 6;

    private VideoDreamEngine Engine() => new(kit.Graphs, kit.Pool, new ImageLoader());

    private static string Parameters(string coherence) => new JsonObject
    {
        [VideoSchema.Coherence] = coherence,
        [VideoSchema.FirstFrameIterations] = 6,
        [VideoSchema.Iterations] = 3,
        [VideoSchema.MaxSize] = Width,
        [DreamSchema.Octaves] = 2,
        [DreamSchema.Seed] = 3,
    }.ToJsonString();

    [Fact]
    public async Task Carrying_the_dream_along_the_flow_steadies_a_pan_and_resumes_identically()
    {
        var clip = await VideoMeasurements.PanClipAsync(kit.Sample("content/mountain_landscape.jpg"), Width, Height, Frames, Step, Fps);
        var engine = Engine();

        var (last, flow) = await VideoStyleEngineTests.RunAsync(engine, clip, [], Parameters(CoherenceModes.Flow), _ => 1000);
        var (_, pieces) = await VideoStyleEngineTests.RunAsync(engine, clip, [], Parameters(CoherenceModes.Flow), _ => 1);
        var (_, none) = await VideoStyleEngineTests.RunAsync(engine, clip, [], Parameters(CoherenceModes.None), _ => 1000);

        Assert.Equal(Frames, flow.FrameCount);
        Assert.Equal(6 * 2 + (Frames - 1) * 3 * 2, last.Progress.TotalIterations);
        for (var k = 0; k < Frames; k++) Assert.Equal(flow.Frame(k), pieces.Frame(k));
        var flowError = VideoMeasurements.PanTemporalError([.. Enumerable.Range(0, Frames).Select(flow.Frame)], Step);
        var noneError = VideoMeasurements.PanTemporalError([.. Enumerable.Range(0, Frames).Select(none.Frame)], Step);
        output.WriteLine($"dream pan temporal error: flow {flowError:F4}, none {noneError:F4}, ratio {flowError / noneError:F3}");
        Assert.True(flowError < noneError, $"carried dream {flowError:F4}, independent frames {noneError:F4}");

        await engine.FinishAsync(last.State, flow);
        Assert.True(flow.Files.ContainsKey("video.mp4"));
    }
}
