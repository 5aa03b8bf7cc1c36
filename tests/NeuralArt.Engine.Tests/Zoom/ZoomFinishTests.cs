using System.Diagnostics;
using System.Text.Json.Nodes;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tests.TestSupport;
using NeuralArt.Engine.Zoom;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;

namespace NeuralArt.Engine.Tests.Zoom;

/// <summary>
/// FinishAsync on a zoom of the toy network at an odd size (49x37): the looping GIF, the MP4 made by
/// the real ffmpeg (installed on CI: these tests fail, not skip, without it), and the readable
/// failure when ffmpeg is missing or fails, after the GIF.
/// </summary>
public sealed class ZoomFinishTests : IDisposable
{
    private const int Frames = 3;
    private const int Fps = 10;
    private const int Width = 49;
    private const int Height = 37;

    private readonly OnnxSessionPool _pool = new(new OnnxRuntimeOptions { ExecutionProvider = ExecutionProviderPreference.Cpu });

    public void Dispose() => _pool.Dispose();

    private ZoomEngine Engine(string ffmpeg = EngineOptions.DefaultFfmpegPath, int timeoutSeconds = EngineOptions.DefaultFfmpegTimeoutSeconds) =>
        new(new ToyGraphSource(), _pool, new ImageLoader(),
            options: new EngineOptions { Model = ToyGraphSource.Model, FfmpegPath = ffmpeg, FfmpegTimeoutSeconds = timeoutSeconds });

    /// <summary>The engine's temporary video folders now (tests of this class run one at a time).</summary>
    private static HashSet<string> VideoFolders() =>
        Directory.EnumerateDirectories(Path.GetTempPath(), ZoomEngine.VideoFolderPrefix + "*").ToHashSet(StringComparer.Ordinal);

    /// <summary>A stand-in ffmpeg that never finishes (until it is killed).</summary>
    private static string HangingFfmpeg()
    {
        var script = Path.Combine(Directory.CreateTempSubdirectory("neuralart-zoom-test-").FullName, "ffmpeg");
        File.WriteAllText(script, "#!/bin/sh\nexec sleep 600\n");
        // The suite runs on Linux (as CI does); a shell script stands in for the program there.
        Assert.False(OperatingSystem.IsWindows(), "the stand-in ffmpeg is a shell script");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    /// <summary>A finished zoom's last state and the frames its chunks handed over.</summary>
    private static async Task<(byte[] State, MemoryOutputs Outputs)> Finished(ZoomEngine engine, string animations)
    {
        var settings = new ZoomSettings { Frames = Frames, Fps = Fps, Animations = animations, Octaves = 1, Iterations = 2, Jitter = 3, Seed = 1 };
        var start = await engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(Width, Height), [], settings.ToJson()));
        var (last, outputs, _) = await ZoomRun.ToEndAsync(engine, start, _ => int.MaxValue);
        return (last.State, outputs);
    }

    [Fact]
    public async Task A_missing_ffmpeg_fails_the_video_after_the_looping_gif_is_written()
    {
        var engine = Engine(ffmpeg: Path.Combine(Path.GetTempPath(), "no-such-folder", "ffmpeg"));
        var (state, outputs) = await Finished(engine, ZoomAnimations.GifAndMp4);
        var folders = VideoFolders();

        var ex = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => engine.FinishAsync(state, outputs));

        Assert.Equal(folders, VideoFolders());

        Assert.Equal("ffmpeg", ex.Field);
        Assert.Contains("ffmpeg", ex.Message);
        Assert.DoesNotContain("/tmp", ex.Message);
        Assert.DoesNotContain(Path.GetTempPath(), ex.Message);
        Assert.DoesNotContain(" at ", ex.Message);
        var (gif, type) = outputs.Files[ZoomEngine.AnimationFile];
        Assert.Equal(ContentTypes.Gif, type);
        using var animation = Image.Load(gif, new GifDecoder());
        Assert.Equal(Frames, animation.Frames.Count);
        Assert.Equal((Width, Height), (animation.Width, animation.Height));
        Assert.Equal(0, animation.Metadata.GetGifMetadata().RepeatCount);
        Assert.All(animation.Frames.Cast<ImageFrame>(), f => Assert.Equal(100 / Fps, f.Metadata.GetGifMetadata().FrameDelay));
        Assert.False(outputs.Files.ContainsKey(ZoomEngine.VideoFile));
    }

    [Fact]
    public async Task A_failing_ffmpeg_gives_its_exit_code()
    {
        // /bin/false stands for an ffmpeg that starts and fails.
        var engine = Engine(ffmpeg: "/bin/false");
        var (state, outputs) = await Finished(engine, ZoomAnimations.Mp4);

        var ex = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => engine.FinishAsync(state, outputs));

        Assert.Equal("ffmpeg", ex.Field);
        Assert.Contains("exit code 1", ex.Message);
        Assert.False(outputs.Files.ContainsKey(ZoomEngine.AnimationFile));
    }

    [Fact]
    public async Task Ffmpeg_makes_an_h264_video_of_every_frame_at_the_frame_rate_padded_to_even_sides()
    {
        var engine = Engine();
        var (state, outputs) = await Finished(engine, ZoomAnimations.GifAndMp4);

        await engine.FinishAsync(state, outputs);

        var (mp4, type) = outputs.Files[ZoomEngine.VideoFile];
        Assert.Equal(ContentTypes.Mp4, type);
        var stream = Probe(mp4);
        Assert.Equal("h264", (string?)stream["codec_name"]);
        Assert.Equal("yuv420p", (string?)stream["pix_fmt"]);
        Assert.Equal($"{Fps}/1", (string?)stream["r_frame_rate"]);
        Assert.Equal(Frames.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)stream["nb_read_frames"]);
        Assert.Equal((Width + 1, Height + 1), ((int)stream["width"]!, (int)stream["height"]!));
        Assert.True(outputs.Files.ContainsKey(ZoomEngine.AnimationFile));
    }

    [Fact]
    public async Task A_hung_ffmpeg_is_stopped_at_the_timeout()
    {
        var ffmpeg = HangingFfmpeg();
        try
        {
            var engine = Engine(ffmpeg, timeoutSeconds: 1);
            var (state, outputs) = await Finished(engine, ZoomAnimations.Mp4);
            var folders = VideoFolders();

            var ex = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => engine.FinishAsync(state, outputs));

            Assert.Equal("ffmpeg", ex.Field);
            Assert.Contains("within 1 s", ex.Message);
            Assert.Equal(folders, VideoFolders());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(ffmpeg)!, recursive: true);
        }
    }

    [Fact]
    public async Task Cancellation_stops_ffmpeg()
    {
        var ffmpeg = HangingFfmpeg();
        try
        {
            var engine = Engine(ffmpeg);
            var (state, outputs) = await Finished(engine, ZoomAnimations.Mp4);
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

            // Without the kill this would wait for the default timeout (ten minutes).
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.FinishAsync(state, outputs, cancel.Token));
            Assert.False(outputs.Files.ContainsKey(ZoomEngine.VideoFile));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(ffmpeg)!, recursive: true);
        }
    }

    [Theory]
    [InlineData(ZoomAnimations.Gif, true, false)]
    [InlineData(ZoomAnimations.None, false, false)]
    public async Task Animations_decides_which_files_are_written(string animations, bool gif, bool mp4)
    {
        // A missing ffmpeg: asking for no video must not run it.
        var engine = Engine(ffmpeg: Path.Combine(Path.GetTempPath(), "no-such-folder", "ffmpeg"));
        var (state, outputs) = await Finished(engine, animations);

        await engine.FinishAsync(state, outputs);

        Assert.Equal(gif, outputs.Files.ContainsKey(ZoomEngine.AnimationFile));
        Assert.Equal(mp4, outputs.Files.ContainsKey(ZoomEngine.VideoFile));
    }

    [Fact]
    public async Task An_unfinished_zoom_cannot_be_finished()
    {
        var engine = Engine();
        var start = await engine.StartAsync(new ArtworkInputs(TestImages.PatternPng(Width, Height), [], "{\"frames\": 2}"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.FinishAsync(start.State, new MemoryOutputs()));
    }

    /// <summary>ffprobe's view of the video's first stream, decoding every frame to count them.</summary>
    private static JsonObject Probe(byte[] mp4)
    {
        var file = Path.Combine(Path.GetTempPath(), $"neuralart-zoom-test-{Guid.NewGuid():N}.mp4");
        File.WriteAllBytes(file, mp4);
        try
        {
            var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames,r_frame_rate,width,height,pix_fmt,codec_name", "-of", "json", file })
            {
                start.ArgumentList.Add(a);
            }
            using var process = Process.Start(start)!;
            var json = process.StandardOutput.ReadToEnd();
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, errors);
            return JsonNode.Parse(json)!["streams"]![0]!.AsObject();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
