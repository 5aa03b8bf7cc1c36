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
