using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// The zoom engine (ResNet-18 on the CPU) through the local host on Azurite, in a child process
/// running the one engine list: every output of a short zoom of the sample photo, a host killed
/// mid-sequence that resumes to the same frames, the door's answers for bad zoom parameters, and a
/// job whose video encoder is missing failing with the reason in error.json.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RealZoomEngineTests(AzuriteFixture azurite)
{
    private const string Kind = "zoom";
    private const int Frames = 6;
    private const int Fps = 6;
    private const double ZoomFactor = 1.1;
    private const int MaxSize = 96;

    /// <summary>A light dream per frame, so a whole sequence takes seconds on two cores.</summary>
    private static string Parameters(int frames = Frames, int maxSize = MaxSize) =>
        $$"""{"frames":{{frames}},"zoom":{{ZoomFactor.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"octaves":1,"iterations":2,"maxSize":{{maxSize}},"fps":{{Fps}},"seed":3}""";

    private static readonly string Photo = Path.Combine(Azurite.RepositoryRoot(), "samples", "content", "cat_chelsea.png");

    private Task<HostProcess> StartHostAsync(string hubPrefix, params string[] extra) =>
        HostProcess.StartAsync(azurite.ConnectionString, $"{hubPrefix}{Guid.NewGuid():N}"[..16],
            ["--NeuralArt:Host:WatchInbox=false", "--TestServer:RealEngines=true", .. extra]);

    private async Task<string> UploadPhotoAsync()
    {
        var blob = $"uploads/{Guid.NewGuid():N}/cat.png";
        await azurite.UploadAsync(BlobRef.Parse(blob), await File.ReadAllBytesAsync(Photo));
        return blob;
    }

    private static string Body(string source, string parameters, string extra = "") =>
        $$"""{"kind":"{{Kind}}","inputs":{"source":"{{source}}"},"parameters":{{parameters}}{{extra}}}""";

    [Fact]
    public async Task A_zoom_through_the_local_host_writes_every_frame_a_looping_gif_and_an_mp4_that_follow_the_camera()
    {
        await using var host = await StartHostAsync("zoom");
        var source = await UploadPhotoAsync();
        var stages = new HashSet<string>();
        var id = await JobPolling.SubmitAsync(host.Http, Body(source, Parameters()));
        var job = await JobPolling.WaitAsync(host.Http, id, running =>
        {
            if (running.GetProperty("progress") is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("stage", out var s)) stages.Add(s.GetString()!);
        }, () => host.Output);
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Contains("frame", stages);

        // Every frame is the photo's working size (the photo scaled to maxSize).
        using var photo = Image.Load<Rgb24>(Photo);
        var scale = (double)MaxSize / Math.Max(photo.Width, photo.Height);
        var (width, height) = ((int)Math.Round(photo.Width * scale), (int)Math.Round(photo.Height * scale));
        var outputs = job.GetProperty("outputs");
        Assert.Equal(Frames, outputs.GetProperty("frames").GetProperty("frames").GetInt32());
        var frames = new List<Image<Rgb24>>();
        try
        {
            for (var k = 0; k < Frames; k++)
            {
                frames.Add(Image.Load<Rgb24>((await azurite.DownloadAsync(StorageLayout.Frame(id, k)))!));
                Assert.Equal((width, height), (frames[k].Width, frames[k].Height));
            }

            // The classic zoom: each frame is closer to the previous frame zoomed into its centre
            // than to the previous frame itself (the camera moved, the dream followed).
            for (var k = 1; k < Frames; k++)
            {
                using var zoomed = ZoomIntoCentre(frames[k - 1], ZoomFactor);
                var toZoomed = MeanAbsoluteDifference(frames[k], zoomed);
                var toPrevious = MeanAbsoluteDifference(frames[k], frames[k - 1]);
                Assert.True(toZoomed < toPrevious, $"Frame {k}: {toZoomed:F2} from the zoomed previous frame, {toPrevious:F2} from the previous frame.");
            }
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }

        // animation.gif: one GIF frame per frame, looping.
        var gifBytes = await DownloadOutputAsync(outputs, "animation");
        using (var gif = Image.Load<Rgba32>(gifBytes))
        {
            Assert.Equal(Frames, gif.Frames.Count);
            Assert.Equal((width, height), (gif.Width, gif.Height));
            Assert.Equal(0, gif.Metadata.GetGifMetadata().RepeatCount);
        }

        // animation.mp4: H.264 in yuv420p, every frame at fps.
        var video = Path.Combine(Path.GetTempPath(), $"neuralart-test-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(video, await DownloadOutputAsync(outputs, "video"));
            using var probe = JsonDocument.Parse(await FfprobeAsync(video));
            var stream = probe.RootElement.GetProperty("streams")[0];
            Assert.Equal("h264", stream.GetProperty("codec_name").GetString());
            Assert.Equal("yuv420p", stream.GetProperty("pix_fmt").GetString());
            Assert.Equal(Frames.ToString(System.Globalization.CultureInfo.InvariantCulture), stream.GetProperty("nb_read_frames").GetString());
            Assert.Equal($"{Fps}/1", stream.GetProperty("r_frame_rate").GetString());
        }
        finally
        {
            File.Delete(video);
        }

        // job.json records the outputs and no single result.
        using var manifest = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.JobManifest(id)))!);
        Assert.Equal(Frames, manifest.RootElement.GetProperty("outputs").GetProperty("frames").GetProperty("frames").GetInt32());
        Assert.False(manifest.RootElement.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task A_zoom_survives_kill_9_of_its_host_mid_sequence_with_the_same_frames_as_an_uninterrupted_run()
    {
        // Enough frames, big enough, that the host is killed with several still to make.
        const int frames = 10;
        const int maxSize = 160;
        var source = await UploadPhotoAsync();
        await SequenceResumeCheck.AssertSameFramesAfterKillAsync(
            azurite, $"zkill{Guid.NewGuid():N}"[..16],
            Body(source, Parameters(frames, maxSize), ""","chunkBudgetSeconds":1"""), Body(source, Parameters(frames, maxSize)), frames);
    }

    [Fact]
    public async Task Bad_zoom_requests_get_4xx_naming_the_field_and_a_missing_encoder_fails_the_job_with_error_json()
    {
        const int frameCap = 8;
        // A multiply-add cap far above the small zoom below and far below a 512 px one.
        const string multiplyAddCap = "1e10";
        await using var host = await StartHostAsync("zbad",
            $"--NeuralArt:Limits:MaxFrames={frameCap}", $"--NeuralArt:Limits:MaxMultiplyAdds={multiplyAddCap}", "--NeuralArt:Engine:FfmpegPath=/nonexistent/ffmpeg");
        var source = await UploadPhotoAsync();
        (string Parameters, HttpStatusCode Status, string Field)[] cases =
        [
            ("""{"frames":0}""", HttpStatusCode.BadRequest, "frames"),
            ($$"""{"frames":{{frameCap + 1}}}""", HttpStatusCode.BadRequest, "frames"),
            ("""{"zoom":1}""", HttpStatusCode.BadRequest, "zoom"),
            ("""{"zoom":0.5}""", HttpStatusCode.BadRequest, "zoom"),
            ("""{"zoom":100}""", HttpStatusCode.BadRequest, "zoom"),
            ("""{"rotate":400}""", HttpStatusCode.BadRequest, "rotate"),
            ("""{"fps":0}""", HttpStatusCode.BadRequest, "fps"),
            ("""{"animations":"avi"}""", HttpStatusCode.BadRequest, "animations"),
            ($$"""{"frames":{{frameCap}},"octaves":2,"iterations":20,"maxSize":512}""", HttpStatusCode.RequestEntityTooLarge, "multiplyAdds"),
        ];

        // Every case is sent and compared; the assertion lists all mismatches, not the first.
        var wrong = new List<string>();
        foreach (var (parameters, status, field) in cases)
        {
            var response = await host.Http.PostAsync("/api/jobs", new StringContent(Body(source, parameters), Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            var actualField = text.Length > 0 && JsonDocument.Parse(text).RootElement.TryGetProperty("field", out var f) ? f.GetString() : null;
            if (response.StatusCode != status || actualField != field) wrong.Add($"{parameters}: {(int)response.StatusCode} field '{actualField}', expected {(int)status} '{field}' ({text})");
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        // With no ffmpeg the frames and the GIF are made, then the job fails with a readable reason.
        var id = await JobPolling.SubmitAsync(host.Http, Body(source, Parameters(frames: 2)));
        var job = await JobPolling.WaitAsync(host.Http, id, diagnostics: () => host.Output);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        using var error = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.Error(id)))!);
        Assert.Equal("ffmpeg", error.RootElement.GetProperty("field").GetString());
        var reason = error.RootElement.GetProperty("reason").GetString()!;
        Assert.Contains("ffmpeg", reason);
        Assert.DoesNotContain("/tmp", reason);
        Assert.DoesNotContain(" at ", reason);
        Assert.NotNull(await azurite.DownloadAsync(StorageLayout.Output(id, "animation.gif")));
        Assert.NotNull(await azurite.DownloadAsync(StorageLayout.Frame(id, 1)));
    }

    private static async Task<byte[]> DownloadOutputAsync(JsonElement outputs, string name)
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(outputs.GetProperty(name).GetProperty("files")[0].GetProperty("url").GetString());
    }

    /// <summary>The centre 1/zoom of each side, resized back: the camera's move between two frames.</summary>
    private static Image<Rgb24> ZoomIntoCentre(Image<Rgb24> frame, double zoom)
    {
        var (w, h) = ((int)Math.Round(frame.Width / zoom), (int)Math.Round(frame.Height / zoom));
        var crop = new Rectangle((frame.Width - w) / 2, (frame.Height - h) / 2, w, h);
        return frame.Clone(c => c.Crop(crop).Resize(frame.Width, frame.Height));
    }

    private static double MeanAbsoluteDifference(Image<Rgb24> a, Image<Rgb24> b)
    {
        var (x, y) = (new byte[a.Width * a.Height * 3], new byte[b.Width * b.Height * 3]);
        a.CopyPixelDataTo(x);
        b.CopyPixelDataTo(y);
        return x.Zip(y, (p, q) => Math.Abs(p - q)).Average();
    }

    private static async Task<string> FfprobeAsync(string video)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt,nb_read_frames,r_frame_rate,width,height", "-of", "json", video })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"ffprobe failed: {await process.StandardError.ReadToEndAsync()}");
        return output;
    }
}
