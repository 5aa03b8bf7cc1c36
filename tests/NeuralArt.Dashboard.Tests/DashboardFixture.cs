using Azure.Storage.Blobs;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Dashboard.Tests;

/// <summary>
/// One Azurite, one <c>neuralart serve</c> and one headless Chromium for the whole class (starting
/// them is most of the cost), with one style image in the library for the picker.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>Public-domain painting shipped in samples/ (see samples/SOURCES.md).</summary>
    public const string StyleName = "the-scream";
    private const string StyleSample = "samples/style/munch_the_scream.jpg";

    private Azurite? azurite;
    private ServeProcess? serve;

    public Browser Browser { get; private set; } = null!;

    /// <summary>The link serve printed: http://127.0.0.1:PORT/#key=...</summary>
    public string Link { get; private set; } = null!;

    public Uri BaseAddress => serve!.BaseAddress;

    public string Key => serve!.Key;

    public BlobServiceClient Blobs { get; private set; } = null!;

    /// <summary>A client of the API with the key, for setting up jobs without the page.</summary>
    public HttpClient Api { get; private set; } = null!;

    public string ServeOutput => serve?.Output ?? string.Empty;

    /// <summary>Screenshots land in the test output: bin/…/screenshots/.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static string SamplePhoto { get; } = Path.Combine(AppContext.BaseDirectory, "Assets", "grace_hopper.jpg");

    public async Task InitializeAsync()
    {
        if (Directory.Exists(ScreenshotFolder))
        {
            Directory.Delete(ScreenshotFolder, recursive: true);
        }

        // The browser first: when Chromium is missing the test fails at once with the install line.
        Browser = new Browser(ScreenshotFolder);
        azurite = await Azurite.StartAsync();
        Blobs = new BlobServiceClient(azurite.ConnectionString);
        await new BlobArtworkStore(Blobs).EnsureContainersAsync();
        await Blobs.GetBlobContainerClient(StorageLayout.StylesContainer).GetBlobClient(StyleName + ".jpg")
            .UploadAsync(Path.Combine(Azurite.RepositoryRoot(), StyleSample), overwrite: true);

        (serve, var link) = await ServeProcess.StartAsync(azurite.ConnectionString, $"dash{Guid.NewGuid():N}"[..16]);
        Link = link;
        Api = new HttpClient { BaseAddress = serve.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Api.DefaultRequestHeaders.Add("x-functions-key", serve.Key);
    }

    /// <summary>Opens the dashboard's signed link at this window size and waits for the start view.</summary>
    public void OpenWithKey(int width, int height)
    {
        Browser.Resize(width, height);
        Browser.Open(Link);
        // The same tab may have been on the page already: a fragment change alone does not reload.
        Browser.Driver.Navigate().Refresh();
        Browser.WaitForView("start");
        // Reading the browser's log empties it: what a test reads later is its own.
        Browser.ConsoleErrors();
    }

    /// <summary>Starts a job through the API (<c>POST /api/jobs</c> with <paramref name="json"/>); returns its id.</summary>
    public async Task<string> SubmitJobAsync(string json)
    {
        using var response = await Api.PostAsync("/api/jobs", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"Submit answered {(int)response.StatusCode}: {text}");
        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        Browser?.Dispose();
        if (serve is not null)
        {
            await serve.DisposeAsync();
        }

        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}
