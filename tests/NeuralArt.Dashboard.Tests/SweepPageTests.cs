using Xunit.Abstractions;

namespace NeuralArt.Dashboard.Tests;

/// <summary>
/// Sweep mode in headless Chromium against <c>neuralart serve</c> (the real DeepDream engine on the
/// CPU): the start form's sweep section picks a parameter and its values, a bad value is shown at
/// the sweep's row, the sweep page fills its grid as cells finish and shows the contact sheet, a
/// cell links to its job page, and the gallery shows the sweep as one entry.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class SweepPageTests(DashboardFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan SweepTimeout = TimeSpan.FromMinutes(5);

    private Browser Browser => fixture.Browser;

    [Fact]
    public void A_sweep_started_from_the_form_fills_its_grid_shows_the_sheet_and_is_one_gallery_entry()
    {
        fixture.OpenWithKey(Browser.DesktopWidth, Browser.DesktopHeight);
        Browser.Find("input[name='kind'][value='dream']").Click();
        Browser.Find("#file-source").SendKeys(DashboardFixture.SamplePhoto);
        Browser.Until(_ => Browser.FindAll("#chosen-source img").Count == 1 ? true : (bool?)null, what: "the chosen photo");
        SetValue("param-iterations", "2");
        SetValue("param-maxSize", "96");
        SetValue("param-octaves", "1");
        Browser.Script<object?>("document.getElementById('sweep-section').open = true;");

        var formViolations = Browser.SeriousAccessibilityViolations();
        Assert.True(formViolations.Count == 0, $"axe-core found serious violations on the start form with its sweep section:\n{string.Join("\n", formViolations)}");

        // A value out of range: refused at the door, shown at the sweep's row.
        Pick("sweep-param-0", "iterations");
        SetValue("sweep-values-0", "1, 100000000");
        Browser.Find("#start-button").Click();
        var error = Browser.Until(_ => Browser.Find("#error-sweep-0").Text is { Length: > 0 } text ? text : null, what: "the reason at the sweep's row");
        Assert.Contains("100000000", error, StringComparison.Ordinal);
        Assert.Equal("start", Browser.Find("#main").GetAttribute("data-view"));

        Pick("sweep-param-0", "seed");
        SetValue("sweep-values-0", "1, 2");
        Browser.Find("#start-button").Click();
        Browser.WaitForView("sweep");
        var id = Browser.Driver.Url[(Browser.Driver.Url.IndexOf("#/sweeps/", StringComparison.Ordinal) + "#/sweeps/".Length)..];

        Browser.Until(_ => Browser.Find("#main").GetAttribute("data-status") == "completed" ? true : (bool?)null, SweepTimeout, "the sweep to complete");
        var cells = Browser.FindAll(".sweep-cell");
        Assert.Equal(2, cells.Count);
        Assert.All(cells, cell => Assert.Equal("completed", cell.GetAttribute("data-status")));
        Browser.Until(_ => Browser.Script<bool>("return [...document.querySelectorAll('.sweep-cell img')].every(i => i.complete && i.naturalWidth > 0);") ? true : (bool?)null, what: "the cells' pictures");
        Browser.Until(_ => Browser.Script<bool>("const i = document.getElementById('sheet-image'); return i && i.complete && i.naturalWidth > 0;") ? true : (bool?)null, what: "the contact sheet");
        Assert.Contains("seed = 1", cells.First().Text, StringComparison.Ordinal);
        Browser.Screenshot("30-sweep-completed");
        Assert.Empty(Browser.HorizontalOverflow());
        var violations = Browser.SeriousAccessibilityViolations();
        Assert.True(violations.Count == 0, $"axe-core found serious violations on the sweep view:\n{string.Join("\n", violations)}");
        Browser.Resize(Browser.PhoneWidth, Browser.PhoneHeight);
        Browser.Screenshot("32-sweep-phone");
        Assert.Empty(Browser.HorizontalOverflow());
        Browser.Resize(Browser.DesktopWidth, Browser.DesktopHeight);

        // A cell is an ordinary job: its page opens from the grid.
        var cellJob = cells.First().GetAttribute("data-job");
        cells.First().Click();
        Browser.WaitForView("job");
        Assert.EndsWith($"#/jobs/{cellJob}", Browser.Driver.Url, StringComparison.Ordinal);
        var back = Browser.Until(_ => Browser.FindAll("#job-sweep").FirstOrDefault(), what: "the link back to the sweep");
        Assert.EndsWith($"#/sweeps/{id}", back.GetAttribute("href"), StringComparison.Ordinal);

        // The gallery shows the sweep once, and none of its cells as jobs of their own.
        Browser.Open(fixture.BaseAddress + "#/jobs");
        Browser.WaitForView("gallery");
        Browser.Until(_ => Browser.FindAll($"[data-sweep='{id}']").Count == 1 ? true : (bool?)null, what: "the sweep's gallery entry");
        Assert.Empty(Browser.FindAll($"[data-job='{cellJob}']"));
        Browser.Screenshot("31-gallery-with-sweep");
        Assert.DoesNotContain(Browser.ConsoleErrors(), e => !e.Contains("the server responded with a status of 4", StringComparison.Ordinal));
        output.WriteLine($"sweep {id}: 2 cells and the sheet shown");
    }

    /// <summary>Chooses an option of a select as a person would (the page listens to its change event).</summary>
    private void Pick(string id, string value) =>
        Browser.Script<object?>("const s = document.getElementById(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change'));", id, value);

    private void SetValue(string id, string value)
    {
        var input = Browser.Find("#" + id);
        input.Clear();
        input.SendKeys(value);
    }
}
