using System.Net;
using System.Text;
using System.Text.Json;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// The video-style engine (ResNet-18 on the CPU) through the local host on Azurite, in a child
/// process running the one engine list: the door's answers for what is not a usable clip (probed
/// with ffprobe before any work), a clip that passes the door but cannot be decoded failing its job
/// with error.json, a short styled clip with its frames, its GIF preview and its MP4 with sound, and
/// a host killed mid-clip that resumes to the same frames.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RealVideoEngineTests(AzuriteFixture azurite)
{
    private const string Kind = "video-style";
    private static readonly string Root = Azurite.RepositoryRoot();
    private static readonly string Cup = Path.Combine(Root, "samples", "video", "cup_3s.mp4");
    private static readonly string Style = Path.Combine(Root, "samples", "style", "van_gogh_starry_night.jpg");

    /// <summary>A light transfer: 3 frames a second of the 3 s cup at 48 px, a few iterations each.</summary>
    private const string Light = """{"fps":3,"maxSize":48,"firstFrameIterations":3,"iterations":2,"seed":5}""";

    private async Task<string> UploadAsync(string name, byte[] bytes)
    {
        var blob = $"uploads/{Guid.NewGuid():N}/{name}";
        await azurite.UploadAsync(BlobRef.Parse(blob), bytes);
        return blob;
    }

    private static string Body(string source, string style, string parameters) =>
        $$"""{"kind":"{{Kind}}","inputs":{"video":"{{source}}","style":["{{style}}"]},"parameters":{{parameters}}}""";

    private static async Task<byte[]> FfmpegAsync(params string[] arguments)
    {
        var output = Path.Combine(Path.GetTempPath(), $"neuralart-test-{Guid.NewGuid():N}.mp4");
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments.Append(output)) start.ArgumentList.Add(argument);
            using var process = System.Diagnostics.Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await errors);
            return await File.ReadAllBytesAsync(output);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Clips_that_are_not_usable_get_4xx_naming_the_source_and_an_undecodable_one_fails_its_job_with_error_json()
    {
        await using var host = await HostProcess.StartAsync(azurite.ConnectionString, $"vdoor{Guid.NewGuid():N}"[..16],
            ["--NeuralArt:Host:WatchInbox=false", "--TestServer:RealEngines=true", "--NeuralArt:Limits:MaxMultiplyAdds=1e11"]);
        var cup = await File.ReadAllBytesAsync(Cup);
        var style = await UploadAsync("starry.jpg", await File.ReadAllBytesAsync(Style));
        var video = await UploadAsync("cup.mp4", cup);
        // The cup's index (moov) is at its end: cut short, the file has no index.
        var truncated = await UploadAsync("cut.mp4", cup[..(cup.Length / 2)]);
        var text = await UploadAsync("notes.mp4", Encoding.UTF8.GetBytes("these are not the frames you are looking for"));
        var photo = await UploadAsync("cat.png", await File.ReadAllBytesAsync(Path.Combine(Root, "samples", "content", "cat_chelsea.png")));
        // Sound only: a container with no frames at all.
        var silent = await UploadAsync("sound.mp4", await FfmpegAsync("-v", "error", "-i", Cup, "-vn", "-c:a", "copy"));

        (string Source, string Parameters, HttpStatusCode Status, string Field)[] cases =
        [
            (text, Light, HttpStatusCode.BadRequest, "video"),
            (truncated, Light, HttpStatusCode.BadRequest, "video"),
            (photo, Light, HttpStatusCode.BadRequest, "video"),
            (silent, Light, HttpStatusCode.BadRequest, "video"),
            (video, """{"fps":30}""", HttpStatusCode.BadRequest, "fps"),
            (video, """{"coherence":"wobbly"}""", HttpStatusCode.BadRequest, "coherence"),
            (video, """{"maxSize":512,"firstFrameIterations":500,"iterations":200}""", HttpStatusCode.RequestEntityTooLarge, "multiplyAdds"),
        ];
        var wrong = new List<string>();
        foreach (var (source, parameters, status, field) in cases)
        {
            var response = await host.Http.PostAsync("/api/jobs", new StringContent(Body(source, style, parameters), Encoding.UTF8, "application/json"));
            var answer = await response.Content.ReadAsStringAsync();
            var actual = answer.Length > 0 && JsonDocument.Parse(answer).RootElement.TryGetProperty("field", out var f) ? f.GetString() : null;
            if (response.StatusCode != status || actual != field) wrong.Add($"{source} {parameters}: {(int)response.StatusCode} '{actual}', expected {(int)status} '{field}' ({answer})");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        // The header is intact but every frame's data is zeroed: the door takes it, the decoder cannot.
        var damaged = (byte[])cup.Clone();
        var data = System.Text.Encoding.ASCII.GetString(cup).IndexOf("mdat", StringComparison.Ordinal) + 4;
        var index = System.Text.Encoding.ASCII.GetString(cup).IndexOf("moov", StringComparison.Ordinal) - 4;
        Array.Clear(damaged, data, index - data);
        var id = await JobPolling.SubmitAsync(host.Http, Body(await UploadAsync("zeroed.mp4", damaged), style, Light));
        var job = await JobPolling.WaitAsync(host.Http, id, diagnostics: () => host.Output);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        using var error = JsonDocument.Parse((await azurite.DownloadAsync(StorageLayout.Error(id)))!);
        Assert.Equal("video", error.RootElement.GetProperty("field").GetString());
        var reason = error.RootElement.GetProperty("reason").GetString()!;
        Assert.Contains("video", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("/tmp", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clips_over_the_hosts_frame_or_length_caps_get_400_naming_the_video()
    {
        await using var host = await HostProcess.StartAsync(azurite.ConnectionString, $"vcaps{Guid.NewGuid():N}"[..16],
            ["--NeuralArt:Host:WatchInbox=false", "--TestServer:RealEngines=true", "--NeuralArt:Limits:MaxVideoFrames=30", "--NeuralArt:Limits:MaxVideoSeconds=2"]);
        var style = await UploadAsync("starry.jpg", await File.ReadAllBytesAsync(Style));
        // The cup has 47 frames (over 30); its first 2.5 s at 10 fps have 25 frames but last over 2 s.
        var many = await UploadAsync("cup.mp4", await File.ReadAllBytesAsync(Cup));
        var longer = await UploadAsync("cup-2.5s.mp4", await FfmpegAsync("-v", "error", "-i", Cup, "-t", "2.5", "-r", "10", "-c:v", "libx264", "-an"));
        foreach (var (source, says) in new[] { (many, "47 frames"), (longer, "2.5 s long") })
        {
            var response = await host.Http.PostAsync("/api/jobs", new StringContent(Body(source, style, Light), Encoding.UTF8, "application/json"));
            var answer = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, answer);
            using var json = JsonDocument.Parse(answer);
            Assert.Equal("video", json.RootElement.GetProperty("field").GetString());
            Assert.Contains(says, answer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_clip_styled_through_the_local_host_has_every_frame_a_preview_and_an_mp4_with_the_sound()
    {
        await using var host = await HostProcess.StartAsync(azurite.ConnectionString, $"vclip{Guid.NewGuid():N}"[..16],
            ["--NeuralArt:Host:WatchInbox=false", "--TestServer:RealEngines=true"]);
        var style = await UploadAsync("starry.jpg", await File.ReadAllBytesAsync(Style));
        var video = await UploadAsync("cup.mp4", await File.ReadAllBytesAsync(Cup));
        var id = await JobPolling.SubmitAsync(host.Http, Body(video, style, Light));
        var job = await JobPolling.WaitAsync(host.Http, id, diagnostics: () => host.Output);
        Assert.Equal("completed", job.GetProperty("status").GetString());

        const int frames = 9;
        var outputs = job.GetProperty("outputs");
        Assert.Equal(frames, outputs.GetProperty("frames").GetProperty("frames").GetInt32());
        var mp4 = Path.Combine(Path.GetTempPath(), $"neuralart-test-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(mp4, (await azurite.DownloadAsync(StorageLayout.Output(id, "video.mp4")))!);
            var start = new System.Diagnostics.ProcessStartInfo("ffprobe") { RedirectStandardOutput = true };
            foreach (var a in new[] { "-v", "error", "-count_frames", "-show_entries", "stream=codec_type,nb_read_frames,r_frame_rate", "-of", "csv=p=0", mp4 }) start.ArgumentList.Add(a);
            using var probe = System.Diagnostics.Process.Start(start)!;
            var streams = await probe.StandardOutput.ReadToEndAsync();
            await probe.WaitForExitAsync();
            Assert.Contains($"video,3/1,{frames}", streams, StringComparison.Ordinal);
            Assert.Contains("audio", streams, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(mp4);
        }
        Assert.NotNull(await azurite.DownloadAsync(StorageLayout.Output(id, "preview.gif")));
    }

    [Fact]
    public async Task A_clip_survives_kill_9_of_its_host_mid_clip_with_the_same_frames_as_an_uninterrupted_run()
    {
        const int frames = 9;
        var style = await UploadAsync("starry.jpg", await File.ReadAllBytesAsync(Style));
        var video = await UploadAsync("cup.mp4", await File.ReadAllBytesAsync(Cup));
        const string parameters = """{"fps":3,"maxSize":64,"firstFrameIterations":6,"iterations":4,"seed":9}""";
        var body = Body(video, style, parameters);
        await SequenceResumeCheck.AssertSameFramesAfterKillAsync(
            azurite, $"vkill{Guid.NewGuid():N}"[..16], body[..^1] + ""","chunkBudgetSeconds":1}""", body, frames);
    }
}
