using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Zoom;
using NeuralArt.Graphs.Compilation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Tests.Zoom;

/// <summary>
/// The zoom engine on the shipped ResNet-18 (graphs compile into the repository's models/compiled
/// cache on first use), on the cat photo scaled to under 100 px: frames follow the camera, chunking
/// changes no byte, progress counts frames.
/// </summary>
public sealed class ZoomEngineTests : IDisposable
{
    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });
    private readonly ZoomEngine _engine;

    public ZoomEngineTests() => _engine = new ZoomEngine(new CatalogGraphSource(ModelCatalog.Locate()), _pool, new ImageLoader());

    public void Dispose() => _pool.Dispose();

    private static byte[] Cat => File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(ModelCatalog.Locate().Directory)!, "samples", "content", "cat_chelsea.png"));

    private Task<EngineCheckpoint> StartAsync(ZoomSettings settings) => _engine.StartAsync(new ArtworkInputs(Cat, [], settings.ToJson()));

    [Fact]
    public async Task Each_frame_is_closer_to_the_previous_frame_moved_than_to_the_previous_frame()
    {
        var settings = new ZoomSettings { Frames = 4, Zoom = 1.15, Rotate = 3, Octaves = 1, Iterations = 3, MaxSize = 96, Seed = 11 };
        var (_, outputs, _) = await ZoomRun.ToEndAsync(_engine, await StartAsync(settings), _ => int.MaxValue);

        Assert.Equal(settings.Frames, outputs.FrameCount);
        for (var k = 1; k < settings.Frames; k++)
        {
            using var previous = Image.Load<Rgb24>(outputs.Frame(k - 1));
            using var frame = Image.Load<Rgb24>(outputs.Frame(k));
            using var moved = settings.Motion.Apply(previous);
            var toMoved = MeanAbsoluteDifference(frame, moved);
            var toPrevious = MeanAbsoluteDifference(frame, previous);
            Assert.True(toMoved < toPrevious, $"frame {k}: {toMoved:F2} from the previous frame moved, {toPrevious:F2} from the previous frame");
            // And it was dreamed on: not the moved frame itself.
            Assert.True(toMoved > 0, $"frame {k} is the previous frame moved, undreamed");
        }
    }

    [Fact]
    public async Task Chunked_runs_give_the_same_frames_byte_for_byte()
    {
        var settings = new ZoomSettings { Frames = 3, Zoom = 1.1, Rotate = -2, ShiftX = 1.5, Octaves = 2, Iterations = 2, MaxSize = 80, Seed = 7 };
        var start = await StartAsync(settings);

        var whole = await ZoomRun.ToEndAsync(_engine, start, _ => int.MaxValue);
        var ones = await ZoomRun.ToEndAsync(_engine, start, _ => 1);
        var mixed = await ZoomRun.ToEndAsync(_engine, start, call => call % 3 + 1);

        // A chunk never runs past the end of a frame: one chunk per frame at most.
        Assert.Equal(settings.Frames, whole.Chunks);
        Assert.Equal(settings.Frames * settings.FrameIterations, ones.Chunks);
        for (var k = 0; k < settings.Frames; k++)
        {
            Assert.Equal(whole.Outputs.Frame(k), ones.Outputs.Frame(k));
            Assert.Equal(whole.Outputs.Frame(k), mixed.Outputs.Frame(k));
        }
        Assert.Equal(whole.Last.State, ones.Last.State);
        Assert.Equal(whole.Last.State, mixed.Last.State);
        Assert.NotEqual(whole.Outputs.Frame(0), whole.Outputs.Frame(1));
    }

    [Fact]
    public async Task Progress_counts_frames_and_each_chunk_hands_over_the_frame_it_finished()
    {
        var settings = new ZoomSettings { Frames = 2, Octaves = 2, Iterations = 2, MaxSize = 64, Seed = 3 };
        var start = await StartAsync(settings);
        Assert.Equal((1, 2, 0, 4, 0, 8), (start.Progress.Phase, start.Progress.PhaseCount, start.Progress.PhaseIteration,
            start.Progress.PhaseIterations, start.Progress.CompletedIterations, start.Progress.TotalIterations));

        // Three steps: across the first octave's end, not to the frame's.
        var reports = new List<EngineProgress>();
        var first = await _engine.RunChunkAsync(start.State, 3, new SyncProgress(reports.Add), previewMaxSide: 64);
        Assert.Equal([1, 2, 3], reports.Select(r => r.PhaseIteration));
        Assert.Empty(first.Frames);
        Assert.NotNull(first.Preview);
        Assert.Equal((1, 3, 3), (first.Progress.Phase, first.Progress.PhaseIteration, first.Progress.CompletedIterations));

        // Asked for more than the frame has left, the chunk stops at its end and hands it over.
        var second = await _engine.RunChunkAsync(first.State, 100);
        var frame = Assert.Single(second.Frames);
        Assert.Equal(0, frame.Index);
        Assert.Equal((2, 0, 4, false), (second.Progress.Phase, second.Progress.PhaseIteration, second.Progress.CompletedIterations, second.Progress.IsComplete));
        Assert.Equal((settings with { Model = EngineOptions.DefaultModel }).ToJson(), second.SettingsJson);

        var last = await _engine.RunChunkAsync(second.State, 100);
        Assert.Equal(1, Assert.Single(last.Frames).Index);
        Assert.True(last.Progress.IsComplete);
        Assert.Equal(8, last.Progress.CompletedIterations);
        // The finished state renders the last frame; running it again changes nothing and hands over nothing.
        Assert.Equal(last.Frames[0].Png, await _engine.RenderAsync(last.State, RenderFormat.Png));
        var again = await _engine.RunChunkAsync(last.State, 5);
        Assert.Equal(last.State, again.State);
        Assert.Empty(again.Frames);
    }

    [Fact]
    public async Task The_checkpoint_holds_one_frame_whatever_the_frame_number()
    {
        var settings = new ZoomSettings { Frames = 3, Octaves = 1, Iterations = 1, MaxSize = 64, Seed = 3 };
        var start = await StartAsync(settings);
        var sizes = new List<int> { start.State.Length };
        var current = start;
        while (!current.Progress.IsComplete)
        {
            current = await _engine.RunChunkAsync(current.State, 1);
            sizes.Add(current.State.Length);
        }
        // Finished frames are handed over, not kept: the state never grows by a frame's bytes.
        var frameBytes = ImageTensor.Channels * start.Progress.Width * start.Progress.Height;
        Assert.All(sizes, size => Assert.True(Math.Abs(size - sizes[0]) < frameBytes, $"checkpoint of {size} bytes, {sizes[0]} at the start"));
    }

    private static double MeanAbsoluteDifference(Image<Rgb24> a, Image<Rgb24> b)
    {
        var x = a.ToRgbBytes();
        var y = b.ToRgbBytes();
        Assert.Equal(x.Length, y.Length);
        return x.Zip(y, (p, q) => Math.Abs(p - q)).Average();
    }

    private sealed class SyncProgress(Action<EngineProgress> report) : IProgress<EngineProgress>
    {
        public void Report(EngineProgress value) => report(value);
    }
}
