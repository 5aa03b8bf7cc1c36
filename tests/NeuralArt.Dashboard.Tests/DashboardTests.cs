using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NeuralArt.Pipeline.Storage;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace NeuralArt.Dashboard.Tests;

/// <summary>
/// The dashboard in headless Chromium against <c>neuralart serve</c> (the real DeepDream engine on the
/// CPU) on Azurite, the way a person uses it: open the printed link, drop the sample photo, watch it
/// dream, read the result and its parameters, see refusals at their fields, cancel, browse, and on a
/// 360 px phone. Every step leaves a screenshot in bin/…/screenshots/.
/// </summary>
[Collection(DashboardCollection.Name)]
[TestCaseOrderer(DeclarationOrderer.TypeName, DeclarationOrderer.AssemblyName)]
public sealed class DashboardTests(DashboardFixture fixture, ITestOutputHelper output)
{
    /// <summary>A small dream: a few seconds of CPU, several one-second chunks, so several previews.</summary>
    private const int SmallMaxSize = 224;
    private const int SmallOctaves = 2;
    private const int SmallIterations = 40;

    /// <summary>A dream long enough to be cancelled while it runs.</summary>
    private const int LongMaxSize = 256;
    private const int LongIterations = 400;

    /// <summary>Photos of the gallery's jobs: the bundled samples (samples/SOURCES.md).</summary>
    private static readonly string CatPhoto = Path.Combine(NeuralArt.Testing.Azurite.RepositoryRoot(), "samples", "content", "cat_chelsea.png");
    private static readonly string MountainPhoto = Path.Combine(NeuralArt.Testing.Azurite.RepositoryRoot(), "samples", "content", "mountain_landscape.jpg");

    /// <summary>More iterations than any host allows (the descriptor's maximum is lower).</summary>
    private const int TooManyIterations = 10_000_000;

    /// <summary>A job on a loaded 2-core machine; generous, the waits end as soon as the page shows it.</summary>
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    private Browser Browser => fixture.Browser;

    [Fact]
    public void A_photo_dropped_on_the_page_dreams_with_live_progress_and_preview_then_shows_result_and_parameters()
    {
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/#key=[0-9a-f]+$", fixture.Link);
        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);

        // The key left the address bar and lives in session storage; the page itself never holds it.
        Assert.EndsWith("/#/", Browser.Driver.Url);
        Assert.Equal(fixture.Key, Browser.Script<string>("return sessionStorage.getItem('neuralart.key');"));
        Assert.DoesNotContain(fixture.Key, Browser.Script<string>("return document.documentElement.outerHTML;"));
        Browser.Screenshot("01-start");
        AssertAccessible("start view");

        FillSmallDream(SmallIterations, SmallMaxSize, SmallOctaves);
        Browser.Script<object?>("window.scrollTo(0, 0);");
        Browser.Screenshot("02-start-filled");
        var clock = Stopwatch.StartNew();
        Browser.Find("#start-button").Click();
        Browser.WaitForView("job");

        // Progress moves and a preview appears while the job runs.
        var percents = new SortedSet<double>();
        TimeSpan? firstPreview = null;
        Browser.Until(_ =>
        {
            Record(percents);
            if (firstPreview is null && Browser.Find("#output-image").GetAttribute("data-kind") == "preview")
            {
                firstPreview = clock.Elapsed;
                Browser.Screenshot("03-running-with-preview");
            }

            return Status() == "completed" ? true : (bool?)null;
        }, JobTimeout, "the dream to complete");
        var total = clock.Elapsed;

        Assert.True(firstPreview is not null, "No preview was shown while the job ran.");
        Assert.Contains(percents, p => p is > 0 and < 100);
        Assert.True(percents.Count >= 2, $"Progress did not move: {string.Join(", ", percents)}");

        // The result, and the parameters as the engine ran them (from job.json, seed included).
        Browser.Until(_ => Browser.Find("#output-image").GetAttribute("data-kind") == "result" ? true : (bool?)null, what: "the result image");
        Browser.Until(_ => Browser.FindAll("#job-parameters tr[data-parameter='seed']").Count == 1 ? true : (bool?)null, what: "the parameters table");
        Assert.Equal(SmallIterations.ToString(CultureInfo.InvariantCulture), ParameterValue("iterations"));
        Assert.Equal(SmallMaxSize.ToString(CultureInfo.InvariantCulture), ParameterValue("maxSize"));
        Assert.Matches("^[0-9]+$", ParameterValue("seed"));
        Assert.True(Browser.Script<bool>("const i = document.getElementById('source-image'); return i.complete && i.naturalWidth > 0;"), "The source image did not load.");
        Assert.True(Browser.Script<bool>("const i = document.getElementById('output-image'); return i.complete && i.naturalWidth > 0;"), "The result image did not load.");
        Assert.Single(Browser.FindAll("#download-result"));
        Assert.Single(Browser.FindAll("#download-manifest"));
        Browser.Screenshot("04-completed");
        AssertAccessible("job view");
        AssertNoConsoleErrors();

        var metrics = $"upload to first preview: {firstPreview!.Value.TotalSeconds:F1} s; upload to result: {total.TotalSeconds:F1} s; progress seen: {string.Join(", ", percents.Select(p => p.ToString("F0", CultureInfo.InvariantCulture)))} %";
        output.WriteLine(metrics);
        File.WriteAllText(Path.Combine(DashboardFixture.ScreenshotFolder, "metrics.txt"), metrics + Environment.NewLine);
    }

    [Fact]
    public void An_out_of_range_parameter_shows_the_API_reason_at_that_field()
    {
        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
        FillSmallDream(TooManyIterations, SmallMaxSize, SmallOctaves);
        Browser.Find("#start-button").Click();

        var error = Browser.Until(_ => Browser.Find("#error-iterations").Text is { Length: > 0 } text ? text : null, what: "the reason at iterations");
        Assert.Contains("iterations", error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("true", Browser.Find("#param-iterations").GetAttribute("aria-invalid"));
        Assert.Equal("param-iterations", Browser.Script<string>("return document.activeElement.id;"));
        Assert.Equal("start", Browser.Find("#main").GetAttribute("data-view"));
        Browser.Screenshot("05-out-of-range-parameter");
        AssertAccessible("start view with an error");
        AssertNoConsoleErrors(allowHttpErrors: true);
    }

    [Fact]
    public void A_corrupt_file_shows_its_reason_at_the_photo_field()
    {
        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
        var corrupt = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.jpg");
        File.WriteAllBytes(corrupt, Encoding.ASCII.GetBytes("This is not a JPEG, whatever its name says."));
        try
        {
            FillSmallDream(SmallIterations, SmallMaxSize, SmallOctaves, corrupt);
            Browser.Find("#start-button").Click();

            // Refused when the job is checked (400 at the field), or, where the host only finds out when
            // the job starts, failed with the reason and the field on the job's page.
            var where = Browser.Until(_ =>
                Browser.Find("#main").GetAttribute("data-view") == "start" && Browser.Find("#error-source").Text.Length > 0 ? "form"
                : Status() == "failed" && Browser.FindAll("#error-field").Count == 1 ? "job" : null,
                JobTimeout, "the reason for the corrupt file");
            if (where == "form")
            {
                Assert.Contains("invalid", Browser.Find("[data-field='source']").GetAttribute("class"));
                Assert.DoesNotContain("/tmp", Browser.Find("#error-source").Text);
            }
            else
            {
                Assert.Equal("source", Browser.Find("#error-field").Text);
                Assert.NotEmpty(Browser.Find("#error-reason").Text);
            }

            Browser.Screenshot("06-corrupt-file");
            AssertNoConsoleErrors(allowHttpErrors: true);
        }
        finally
        {
            File.Delete(corrupt);
        }
    }

    [Fact]
    public void A_photo_cut_short_passes_the_door_then_its_failed_job_shows_the_reason_and_field()
    {
        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
        // The header is whole (the door reads only headers), the pixel data is cut off: only decoding finds out.
        var cut = Path.Combine(Path.GetTempPath(), $"cut-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(cut, NeuralArt.Testing.TestImages.TruncatedPng());
        try
        {
            FillSmallDream(SmallIterations, SmallMaxSize, SmallOctaves, cut);
            Browser.Find("#start-button").Click();
            Browser.WaitForView("job");
            Browser.Until(_ => Status() == "failed" && Browser.FindAll("#error-field").Count == 1 ? true : (bool?)null, JobTimeout, "the failed job's reason");
            Assert.Equal("source", Browser.Find("#error-field").Text);
            Assert.Contains("not a readable", Browser.Find("#error-reason").Text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("/tmp", Browser.Find("#error-reason").Text);
            Browser.Screenshot("06b-failed-job");
            AssertAccessible("failed job view");
            AssertNoConsoleErrors(allowHttpErrors: true);
        }
        finally
        {
            File.Delete(cut);
        }
    }

    [Fact]
    public async Task A_running_job_can_be_cancelled_and_then_deleted_from_its_page()
    {
        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
        FillSmallDream(LongIterations, LongMaxSize, SmallOctaves);
        Browser.Find("#start-button").Click();
        Browser.WaitForView("job");
        Browser.Until(_ => Status() == "running" && Browser.FindAll("#cancel-button").Count == 1 ? true : (bool?)null, JobTimeout, "the job to run");
        Browser.Screenshot("07-running-before-cancel");

        Browser.Find("#cancel-button").Click();
        Browser.Until(_ => Status() == "cancelled" ? true : (bool?)null, JobTimeout, "the job to be cancelled");
        Assert.Empty(Browser.FindAll("#cancel-button"));
        Assert.Single(Browser.FindAll("#delete-button"));
        Browser.Screenshot("08-cancelled");

        // Delete asks once more, then the job is gone: back to the gallery, and the API no longer knows it.
        var id = Browser.Find(".job-id code").Text;
        Browser.Find("#delete-button").Click();
        Browser.Until(_ => Browser.FindAll("#confirm-delete-button").Count == 1, what: "the delete confirmation");
        Assert.Equal("confirm-delete-button", Browser.Script<string>("return document.activeElement.id;"));
        Browser.Find("#confirm-delete-button").Click();
        Browser.WaitForView("gallery");
        Assert.Empty(Browser.FindAll($"#gallery li[data-job='{id}']"));
        using var gone = await fixture.Api.GetAsync($"/api/jobs/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        AssertNoConsoleErrors();
    }

    [Fact]
    public void A_missing_or_wrong_key_brings_the_key_prompt_and_the_right_key_gets_in()
    {
        Browser.Resize(Browser.DesktopWidth, Browser.DesktopHeight);
        Browser.Open(fixture.BaseAddress + "#/");
        Browser.ClearSession();
        Browser.Open(fixture.BaseAddress + "#/jobs");
        Browser.Driver.Navigate().Refresh();
        AssertKeyPrompt("missing");

        Browser.ClearSession();
        Browser.Open(fixture.BaseAddress + "#key=not-the-key");
        Browser.Driver.Navigate().Refresh();
        AssertKeyPrompt("refused");
        Browser.Screenshot("09-wrong-key-prompt");
        AssertAccessible("key prompt");

        Browser.Find("#key-input").SendKeys(fixture.Key);
        Browser.Find("#key-input").SendKeys(Keys.Enter);
        Browser.WaitForView("start");
        Assert.False(Browser.Script<bool>("return document.getElementById('key-dialog').open;"));
        Assert.Equal(fixture.Key, Browser.Script<string>("return sessionStorage.getItem('neuralart.key');"));
        AssertNoConsoleErrors(allowHttpErrors: true);
    }

    [Fact]
    public async Task The_gallery_lists_jobs_newest_first_with_previews_and_opens_a_job()
    {
        // Two jobs started through the API (not the page), the second after the first; both small, and
        // waited for until they have a preview, so that the gallery shows thumbnails.
        var first = await SubmitThroughApiAsync(CatPhoto);
        var second = await SubmitThroughApiAsync(MountainPhoto);
        try
        {
            await WaitForPreviewAsync(first);
            await WaitForPreviewAsync(second);
            fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
            Browser.Open(fixture.BaseAddress + "#/jobs");
            Browser.WaitForView("gallery");
            var ids = Browser.Until(_ =>
            {
                var shown = Browser.FindAll("#gallery li[data-job]").Select(li => li.GetAttribute("data-job")).ToList();
                return shown.Contains(first) && shown.Contains(second) ? shown : null;
            }, what: "both jobs in the gallery");
            Assert.True(ids.IndexOf(second) < ids.IndexOf(first), $"Not newest first: {string.Join(", ", ids)}");

            // Both jobs have a preview, so both cards show a thumbnail, and thumbnails are the small
            // preview JPEGs, never the full-size results.
            Assert.Single(Browser.FindAll($"#gallery li[data-job='{first}'] img"));
            Assert.Single(Browser.FindAll($"#gallery li[data-job='{second}'] img"));
            var sources = Browser.FindAll("#gallery img").Select(i => i.GetAttribute("src") ?? string.Empty).ToList();
            Assert.True(sources.Count >= 2, $"{sources.Count} thumbnails in the gallery, expected at least the two jobs'");
            Assert.All(sources, src => Assert.Contains("/" + StorageLayout.PreviewFileName, new Uri(src).AbsolutePath));
            Browser.Screenshot("10-gallery");
            AssertAccessible("gallery");

            Browser.Find($"#gallery li[data-job='{first}'] a").Click();
            Browser.WaitForView("job");
            Assert.Contains(first, Browser.Find(".job-id").Text);
            AssertNoConsoleErrors();
        }
        finally
        {
            // Free the host's one activity slot for the next test.
            await CancelQuietlyAsync(first);
            await CancelQuietlyAsync(second);
        }
    }

    [Fact]
    public void The_style_picker_shows_the_library_and_an_uploaded_style_joins_it_selected()
    {
        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
        Browser.Find("input[name='kind'][value='style']").Click();
        var picker = Browser.Until(_ => Browser.FindAll("fieldset[data-field='style'] .library").FirstOrDefault(), what: "the style picker");
        var thumbnail = picker.FindElement(By.XPath($".//label[.//input[@value='{DashboardFixture.StyleName}']]//img"));
        Browser.Until(_ => Browser.Script<bool>("return arguments[0].complete && arguments[0].naturalWidth > 0;", thumbnail), what: "the style thumbnail to load");

        // A new style, uploaded from the picker straight to the library, comes back checked.
        var name = $"dashboard-style-{Guid.NewGuid():N}"[..24];
        var file = Path.Combine(Path.GetTempPath(), name + ".jpg");
        File.Copy(DashboardFixture.SamplePhoto, file);
        try
        {
            Browser.Find("#upload-style").SendKeys(file);
            Browser.Until(_ => Browser.FindAll($"fieldset[data-field='style'] input[value='{name}']:checked").Count == 1, what: "the uploaded style, selected");
        }
        finally
        {
            File.Delete(file);
        }

        Browser.Script<object?>("document.querySelector(\"fieldset[data-field='style']\").scrollIntoView();");
        Browser.Screenshot("14-style-picker");
        AssertAccessible("style picker");
        AssertNoConsoleErrors();
    }

    [Fact]
    public void At_360_px_nothing_overflows()
    {
        try
        {
            fixture.OpenWithKey(Browser.PhoneWidth, Browser.PhoneHeight);
            AssertNoOverflow("start");
            Browser.Screenshot("11-phone-start");

            Browser.Open(fixture.BaseAddress + "#/jobs");
            Browser.WaitForView("gallery");
            AssertNoOverflow("gallery");
            Browser.Screenshot("12-phone-gallery");

            var job = Browser.FindAll("#gallery li[data-job] a").FirstOrDefault();
            if (job is not null)
            {
                job.Click();
                Browser.WaitForView("job");
                AssertNoOverflow("job");
                Browser.Screenshot("13-phone-job");
                AssertAccessible("job view at 360 px");
            }

            AssertNoConsoleErrors();
        }
        finally
        {
            Browser.Resize(Browser.DesktopWidth, Browser.DesktopHeight);
        }
    }

    /// <summary>
    /// Names are data: a style and a photo in the inbox whose names are HTML show on the page as
    /// text, and nothing they spell is built or run (no element, no handler, no request for it).
    /// </summary>
    [Fact]
    public async Task Style_and_photo_names_made_of_HTML_show_as_text_and_inject_nothing()
    {
        const string HostileStyle = "<img src=x onerror=window.injected=1>";
        const string HostilePhoto = "<img src=x onerror=window.injected=2>.jpg";
        var style = fixture.Blobs.GetBlobContainerClient(StorageLayout.StylesContainer).GetBlobClient(HostileStyle + ".jpg");
        await style.UploadAsync(DashboardFixture.SamplePhoto, overwrite: true);
        var photo = new BlobRef(StorageLayout.InboxContainer, "dream/" + HostilePhoto);
        await fixture.Blobs.GetBlobContainerClient(photo.Container).GetBlobClient(photo.Name).UploadAsync(CatPhoto, overwrite: true);
        var id = await SubmitThroughApiAsync(photo);
        try
        {
            fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
            Browser.Find("input[name='kind'][value='style']").Click();
            Browser.Until(_ => Browser.FindAll("fieldset[data-field='style'] .swatch-name").Any(e => e.Text == HostileStyle) ? true : (bool?)null,
                what: "the style's name, as text, in the picker");
            Browser.Screenshot("15-hostile-style-name");
            AssertNothingInjected("style picker");

            Browser.Open(fixture.BaseAddress + "#/jobs");
            Browser.WaitForView("gallery");
            Browser.Until(_ => Browser.FindAll($"#gallery li[data-job='{id}'] .card-source").Any(e => e.Text == HostilePhoto) ? true : (bool?)null,
                what: "the photo's name, as text, on its gallery card");
            Browser.Screenshot("16-hostile-photo-name");
            AssertNothingInjected("gallery");
            AssertNoConsoleErrors();
        }
        finally
        {
            await CancelQuietlyAsync(id);
            await style.DeleteIfExistsAsync();
        }
    }

    private void AssertNothingInjected(string where)
    {
        Assert.Equal(0L, Browser.Script<long>("return document.querySelectorAll('img[src=\"x\"]').length;"));
        Assert.True(Browser.Script<bool>("return window.injected === undefined;"), $"A name ran as script on the {where}.");
    }

    private void FillSmallDream(int iterations, int maxSize, int octaves, string? photo = null)
    {
        Browser.Find("input[name='kind'][value='dream']").Click();
        Browser.Find("#file-source").SendKeys(photo ?? DashboardFixture.SamplePhoto);
        Browser.Until(_ => Browser.FindAll("#chosen-source img").Count == 1 ? true : (bool?)null, what: "the chosen photo");
        SetValue("param-iterations", iterations);
        SetValue("param-maxSize", maxSize);
        SetValue("param-octaves", octaves);
    }

    private void SetValue(string id, int value)
    {
        var input = Browser.Find("#" + id);
        input.Clear();
        input.SendKeys(value.ToString(CultureInfo.InvariantCulture));
    }

    private string? Status() => Browser.Find("#main").GetAttribute("data-status");

    private void Record(ISet<double> percents)
    {
        if (Browser.FindAll("#progress-panel").FirstOrDefault()?.GetAttribute("data-percent") is { } text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            percents.Add(percent);
        }
    }

    private string ParameterValue(string name) => Browser.Find($"#job-parameters tr[data-parameter='{name}'] td").Text;

    private void AssertKeyPrompt(string reason)
    {
        Browser.Until(_ => Browser.Script<bool>("return document.getElementById('key-dialog').open;") ? true : (bool?)null, what: "the key prompt");
        Assert.Equal(reason, Browser.Find("#key-dialog").GetAttribute("data-reason"));
        Assert.Equal("key-input", Browser.Script<string>("return document.activeElement.id;"));
    }

    private void AssertAccessible(string where)
    {
        var violations = Browser.SeriousAccessibilityViolations();
        Assert.True(violations.Count == 0, $"axe-core found serious violations on the {where}:\n{string.Join("\n", violations)}");
    }

    private void AssertNoOverflow(string view)
    {
        var overflow = Browser.HorizontalOverflow();
        Assert.True(overflow.Count == 0, $"At {Browser.PhoneWidth} px the {view} view overflows:\n{string.Join("\n", overflow)}");
    }

    /// <summary>No console errors; where a test provokes refusals, the browser's own line for each HTTP 4xx is expected.</summary>
    private void AssertNoConsoleErrors(bool allowHttpErrors = false)
    {
        var errors = Browser.ConsoleErrors()
            .Where(e => !(allowHttpErrors && e.Contains("the server responded with a status of 4", StringComparison.Ordinal)))
            .ToList();
        Assert.True(errors.Count == 0, $"Console errors:\n{string.Join("\n", errors)}");
    }

    private async Task<string> SubmitThroughApiAsync(string photo)
    {
        var blob = new BlobRef(StorageLayout.UploadsContainer, $"{Guid.NewGuid():N}/{Path.GetFileName(photo)}");
        await fixture.Blobs.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name).UploadAsync(photo);
        return await SubmitThroughApiAsync(blob);
    }

    /// <summary>A small dream of a blob already in storage, started through the API.</summary>
    private async Task<string> SubmitThroughApiAsync(BlobRef blob)
    {
        return await fixture.SubmitJobAsync(
            $$$"""{"kind":"dream","inputs":{"source":"{{{blob}}}"},"parameters":{"octaves":1,"iterations":{{{SmallIterations}}},"maxSize":96}}""");
    }

    /// <summary>Polls the API (at its Retry-After) until the job has a preview or has ended.</summary>
    private async Task WaitForPreviewAsync(string id)
    {
        using var timeout = new CancellationTokenSource(JobTimeout);
        while (true)
        {
            using var response = await fixture.Api.GetAsync($"/api/jobs/{id}", timeout.Token);
            using var job = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            if (job.RootElement.TryGetProperty("preview", out _) || response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), timeout.Token);
        }
    }

    private async Task CancelQuietlyAsync(string id)
    {
        // 409 when the job already ended: nothing to free.
        using var response = await fixture.Api.PostAsync($"/api/jobs/{id}/cancel", content: null);
        output.WriteLine($"cancel {id}: {(int)response.StatusCode}");
    }
}
