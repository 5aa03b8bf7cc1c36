using Xunit.Abstractions;

namespace NeuralArt.Dashboard.Tests;

/// <summary>
/// A sequence's job page in headless Chromium against <c>neuralart serve</c> (the real zoom engine on
/// the CPU): the start form offers the zoom kind from its descriptor; while the job runs the page
/// shows the latest frame; once done it plays the video, shows the animation and a strip of every
/// frame, with a download per file; at desktop and phone widths without overflow.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class SequenceJobPageTests(DashboardFixture fixture, ITestOutputHelper output)
{
    private const int Frames = 4;
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    private Browser Browser => fixture.Browser;

    [Fact]
    public async Task A_zoom_job_page_shows_the_live_frame_then_plays_the_video_and_shows_every_frame()
    {
        var blob = $"uploads/{Guid.NewGuid():N}/cat.png";
        await fixture.Blobs.GetBlobContainerClient("uploads").GetBlobClient(blob["uploads/".Length..])
            .UploadAsync(Path.Combine(NeuralArt.Testing.Azurite.RepositoryRoot(), "samples", "content", "cat_chelsea.png"));
        var body = $$"""{"kind":"zoom","inputs":{"source":"{{blob}}"},"parameters":{"frames":{{Frames}},"octaves":1,"iterations":2,"maxSize":96,"fps":4},"chunkBudgetSeconds":1}""";
        var id = await fixture.SubmitJobAsync(body);

        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
        // The zoom kind comes from its descriptor, like every other kind.
        Assert.Contains(Browser.FindAll("#kind option, [name=kind]"), e => e.GetAttribute("value") == "zoom");

        Browser.Open(fixture.BaseAddress + $"#/jobs/{id}");
        Browser.WaitForView("job");
        Browser.Until(_ => Browser.Find("#main").GetAttribute("data-status") == "completed" ? true : (bool?)null, JobTimeout, "the zoom to complete");

        // The video plays (it has decoded frames), the animation and the strip of frames are shown.
        var video = Browser.Until(_ => Browser.FindAll("#output-video").FirstOrDefault(), what: "the video element");
        Assert.Equal("video", video.TagName);
        Browser.Until(_ => Browser.Script<bool>("const v = document.getElementById('output-video'); return v.readyState >= 2 && v.videoWidth > 0;") ? true : (bool?)null, what: "the video to load");
        Browser.Until(_ => Browser.Script<bool>("const i = document.getElementById('output-animation'); return i && i.complete && i.naturalWidth > 0;") ? true : (bool?)null, what: "the animation to load");
        Assert.Equal(Frames, Browser.FindAll("#output-frames img").Count);
        Assert.Single(Browser.FindAll("#download-animation"));
        Assert.Single(Browser.FindAll("#download-video"));
        Assert.Empty(Browser.FindAll("#download-result"));
        Assert.Contains("frame", Browser.Find("#job-facts").Text, StringComparison.OrdinalIgnoreCase);
        Browser.Script<object?>("document.getElementById('job-outputs').scrollIntoView();");
        Browser.Screenshot("20-zoom-completed");
        Assert.Empty(Browser.HorizontalOverflow());

        Browser.Resize(Browser.PhoneWidth, Browser.PhoneHeight);
        Browser.Script<object?>("document.getElementById('job-outputs').scrollIntoView();");
        Browser.Screenshot("21-zoom-completed-phone");
        Assert.Empty(Browser.HorizontalOverflow());
        Assert.Empty(Browser.ConsoleErrors());
        output.WriteLine($"zoom job {id}: page showed {Frames} frames, the GIF and the MP4");
    }

    [Fact]
    public async Task A_video_job_page_plays_its_source_shows_the_live_frame_then_plays_the_styled_video()
    {
        var root = NeuralArt.Testing.Azurite.RepositoryRoot();
        var prefix = $"{Guid.NewGuid():N}";
        var uploads = fixture.Blobs.GetBlobContainerClient("uploads");
        await uploads.GetBlobClient($"{prefix}/cup.mp4").UploadAsync(Path.Combine(root, "samples", "video", "cup_3s.mp4"));
        await uploads.GetBlobClient($"{prefix}/starry.jpg").UploadAsync(Path.Combine(root, "samples", "style", "van_gogh_starry_night.jpg"));
        // Three frames a second of the 3 s clip: 9 frames, one chunk each at most.
        var body = $$"""{"kind":"video-style","inputs":{"video":"uploads/{{prefix}}/cup.mp4","style":["uploads/{{prefix}}/starry.jpg"]},"parameters":{"fps":3,"maxSize":64,"firstFrameIterations":4,"iterations":3},"chunkBudgetSeconds":1}""";
        var id = await fixture.SubmitJobAsync(body);

        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
        Browser.Open(fixture.BaseAddress + $"#/jobs/{id}");
        Browser.WaitForView("job");
        // The clip plays as the source; while frames are made the page shows the latest one.
        Browser.Until(_ => Browser.Script<bool>("const v = document.getElementById('source-video'); return !v.hidden && v.readyState >= 2 && v.videoWidth > 0;") ? true : (bool?)null, what: "the source clip to load");
        Browser.Until(_ => Browser.Script<bool>("const i = document.getElementById('output-image'); return i.naturalWidth > 0;") ? true : (bool?)null, JobTimeout, "a live frame");
        Browser.Until(_ => Browser.Find("#main").GetAttribute("data-status") == "completed" ? true : (bool?)null, JobTimeout, "the video to complete");

        Browser.Until(_ => Browser.Script<bool>("const v = document.getElementById('output-video'); return v && v.readyState >= 2 && v.videoWidth > 0;") ? true : (bool?)null, what: "the styled video to load");
        Browser.Until(_ => Browser.Script<bool>("const i = document.getElementById('output-preview'); return i && i.complete && i.naturalWidth > 0;") ? true : (bool?)null, what: "the GIF preview to load");
        Assert.Equal(9, Browser.FindAll("#output-frames img").Count);
        Assert.Single(Browser.FindAll("#download-video"));
        Browser.Script<object?>("document.getElementById('job-outputs').scrollIntoView();");
        Browser.Screenshot("22-video-completed");
        Assert.Empty(Browser.HorizontalOverflow());
        Assert.Empty(Browser.ConsoleErrors());
    }
}
