using System.Drawing;
using System.Text.Json;
using NeuralArt.Testing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace NeuralArt.Dashboard.Tests;

/// <summary>
/// Headless Chromium from the Debian packages (<c>chromium</c>, <c>chromium-driver</c>; .ci/run
/// installs them), with helpers the tests share: bounded waits, screenshots into the test output,
/// axe-core (from node_modules) and a horizontal overflow check.
/// </summary>
public sealed class Browser : IDisposable
{
    public const int DesktopWidth = 1280;
    public const int DesktopHeight = 900;
    public const int PhoneWidth = 360;
    public const int PhoneHeight = 780;

    /// <summary>Where Debian puts the browser and its driver; overridable for other systems.</summary>
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("NEURALART_CHROMIUM") ?? "/usr/bin/chromium";
    private static readonly string DriverPath = Environment.GetEnvironmentVariable("NEURALART_CHROMEDRIVER") ?? "/usr/bin/chromedriver";

    /// <summary>Page loads and script calls on a loaded machine; waits for jobs pass their own timeouts.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan UiTimeout = TimeSpan.FromSeconds(30);

    private readonly ChromeDriver driver;
    private readonly string screenshots;

    public Browser(string screenshotFolder)
    {
        if (!File.Exists(ChromiumPath) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException(
                $"Headless Chromium is not installed ({ChromiumPath}, {DriverPath}): apt-get install chromium chromium-driver (.ci/run does).");
        }

        screenshots = screenshotFolder;
        Directory.CreateDirectory(screenshots);
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--lang=en-US",
            $"--window-size={DesktopWidth},{DesktopHeight}");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        driver = new ChromeDriver(service, options, CommandTimeout);
    }

    public IWebDriver Driver => driver;

    public void Open(string url) => driver.Navigate().GoToUrl(url);

    /// <summary>Resizes the viewport (headless: the window is the viewport).</summary>
    public void Resize(int width, int height)
    {
        driver.Manage().Window.Size = new Size(width, height);
        Until(_ => Script<long>("return window.innerWidth;") == width, TimeSpan.FromSeconds(10), $"viewport {width} px wide");
    }

    public T Until<T>(Func<IWebDriver, T?> condition, TimeSpan? timeout = null, string? what = null)
    {
        var wait = new WebDriverWait(driver, timeout ?? UiTimeout) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            // WebDriverWait takes bool or reference results; null and false both mean "not yet".
            return (T)wait.Until<object?>(d => condition(d) is { } result && result is not false ? result : null)!;
        }
        catch (WebDriverTimeoutException e)
        {
            throw new WebDriverTimeoutException($"Timed out waiting for {what ?? "a condition"}. Page: {Describe()}", e);
        }
    }

    public IWebElement Find(string css) => driver.FindElement(By.CssSelector(css));

    public IReadOnlyCollection<IWebElement> FindAll(string css) => driver.FindElements(By.CssSelector(css));

    /// <summary>Waits for a view to be rendered (the router marks main with data-ready).</summary>
    public void WaitForView(string view) =>
        Until(d => d.FindElement(By.Id("main")).GetAttribute("data-ready") == view && d.FindElement(By.Id("main")).GetAttribute("aria-busy") == "false" ? true : (bool?)null,
            what: $"the {view} view");

    public T Script<T>(string script, params object[] args) => (T)driver.ExecuteScript(script, args)!;

    public string Screenshot(string name)
    {
        var path = Path.Combine(screenshots, name + ".png");
        driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>axe-core's violations of impact serious or critical on the page as it is now.</summary>
    public IReadOnlyList<string> SeriousAccessibilityViolations()
    {
        var axe = Path.Combine(Azurite.RepositoryRoot(), "node_modules", "axe-core", "axe.min.js");
        if (!File.Exists(axe))
        {
            throw new InvalidOperationException($"axe-core is not installed ({axe}): run 'npm ci' at the repository root.");
        }

        // Injected through WebDriver, which the page's Content-Security-Policy does not govern.
        driver.ExecuteScript(File.ReadAllText(axe));
        var json = (string?)driver.ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) })))))
              .catch(e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }])));
            """);
        using var document = JsonDocument.Parse(json ?? "[]");
        return document.RootElement.EnumerateArray()
            .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {v.GetProperty("help").GetString()} at {string.Join("; ", v.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()))}")
            .ToList();
    }

    /// <summary>Elements whose box sticks out to the right of the viewport (or a page wider than it).</summary>
    public IReadOnlyList<string> HorizontalOverflow() =>
        ((IEnumerable<object>)driver.ExecuteScript("""
            const width = document.documentElement.clientWidth;
            const out = [];
            if (document.documentElement.scrollWidth > width) out.push(`page scrollWidth ${document.documentElement.scrollWidth} > ${width}`);
            for (const el of document.querySelectorAll('body *')) {
              const style = getComputedStyle(el);
              if (style.display === 'none' || style.visibility === 'hidden' || el.closest('.visually-hidden, dialog:not([open]), .table-wrap')) continue;
              const box = el.getBoundingClientRect();
              if (box.width > 0 && box.right > width + 1) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).replace(/ /g, '.') : ''} right=${Math.round(box.right)}`);
            }
            return out;
            """)!).Select(o => o.ToString()!).ToList();

    /// <summary>The browser console's errors since the last call (the log is drained by reading it).</summary>
    public IReadOnlyList<string> ConsoleErrors() =>
        driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Severe).Select(e => e.Message).ToList();

    public void ClearSession()
    {
        if (driver.Url.StartsWith("http", StringComparison.Ordinal))
        {
            driver.ExecuteScript("sessionStorage.clear();");
        }
    }

    private string Describe()
    {
        try
        {
            return $"{driver.Url} :: {driver.FindElement(By.TagName("body")).Text.ReplaceLineEndings(" | ")}";
        }
        catch (WebDriverException)
        {
            return driver.Url;
        }
    }

    public void Dispose()
    {
        driver.Quit();
        driver.Dispose();
    }
}
