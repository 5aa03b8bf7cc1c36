using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NeuralArt.Pipeline.Dashboard;
using NeuralArt.Pipeline.Storage;
using Xunit.Abstractions;

namespace NeuralArt.Dashboard.Tests;

/// <summary>
/// What the page relies on, over plain HTTP against serve on Azurite: the page and its files (no key,
/// a strict CSP, revalidation), upload links that create one new blob and nothing else, the style
/// library, and the storage CORS rule the host set for its own origin.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class UploadsAndPageTests(DashboardFixture fixture, ITestOutputHelper output)
{
    /// <summary>"Keep it small": the whole page, uncompressed, stays under this.</summary>
    private const long PageBudgetBytes = 96 * 1024;

    private static readonly byte[] Photo = File.ReadAllBytes(DashboardFixture.SamplePhoto);

    [Fact]
    public async Task The_page_carries_no_key_and_only_talks_to_its_origin_and_the_blob_endpoint()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain(fixture.Key, html);
        var csp = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("connect-src 'self' http://127.0.0.1:", csp);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());

        using var script = await anonymous.GetAsync("/assets/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/assets/app.js");
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        using var notModified = await anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        using var missing = await anonymous.GetAsync("/assets/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // The API behind the page still wants the key.
        using var styles = await anonymous.GetAsync("/api/styles");
        Assert.Equal(HttpStatusCode.Unauthorized, styles.StatusCode);

        output.WriteLine($"page weight: {DashboardHandler.TotalBytes / 1024.0:F1} KB in {DashboardHandler.Files.Count} files");
        Assert.InRange(DashboardHandler.TotalBytes, 1, PageBudgetBytes);
    }

    [Fact]
    public async Task An_upload_link_creates_one_new_blob_and_can_neither_read_nor_overwrite_it()
    {
        var ticket = await TicketAsync("""{"fileName":"My Photo (1).JPG","contentType":"image/jpeg"}""");
        var blob = ticket.GetProperty("blob").GetString()!;
        Assert.Matches("^uploads/[0-9a-f]{32}/my-photo-1\\.jpg$", blob);
        var url = new Uri(ticket.GetProperty("uploadUrl").GetString()!);
        Assert.True(ticket.GetProperty("expiresOn").GetDateTimeOffset() < DateTimeOffset.UtcNow.AddMinutes(15));

        using var storage = new HttpClient();
        using (var put = await PutAsync(storage, url, Photo))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var stored = await fixture.Blobs.GetBlobContainerClient("uploads").GetBlobClient(blob["uploads/".Length..]).DownloadContentAsync();
        Assert.Equal(Photo, stored.Value.Content.ToArray());
        Assert.Equal("image/jpeg", stored.Value.Details.ContentType);

        // Write-only and create-only: no reading back, no replacing, no other blob with the same link.
        using (var read = await storage.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        }

        using (var overwrite = await PutAsync(storage, url, [1, 2, 3]))
        {
            Assert.False(overwrite.IsSuccessStatusCode, $"Overwrite answered {(int)overwrite.StatusCode}.");
        }

        var other = new UriBuilder(url) { Path = url.AbsolutePath.Replace("my-photo-1.jpg", "other.jpg", StringComparison.Ordinal) }.Uri;
        using (var elsewhere = await PutAsync(storage, other, Photo))
        {
            Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        }
    }

    [Theory]
    [InlineData("""{"fileName":"notes.txt"}""", "fileName")]
    [InlineData("""{"fileName":"cat.png","contentType":"text/html"}""", "contentType")]
    [InlineData("""{"fileName":"cat.png","library":"models"}""", "library")]
    [InlineData("""{"name":"cat.png"}""", "name")]
    public async Task Upload_requests_that_are_not_images_are_refused_at_their_field(string body, string field)
    {
        using var response = await fixture.Api.PostAsync("/api/uploads", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_style_uploaded_to_the_library_is_listed_with_a_read_link_and_its_name_is_not_taken_twice()
    {
        var name = $"style-{Guid.NewGuid():N}"[..14];
        var ticket = await TicketAsync($$"""{"fileName":"{{name}}.jpg","contentType":"image/jpeg","library":"styles"}""");
        Assert.Equal($"styles/{name}.jpg", ticket.GetProperty("blob").GetString());
        using var storage = new HttpClient();
        using (var put = await PutAsync(storage, new Uri(ticket.GetProperty("uploadUrl").GetString()!), Photo))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var list = JsonDocument.Parse(await fixture.Api.GetStringAsync("/api/styles"));
        var entries = list.RootElement.GetProperty("styles").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("name").GetString() == DashboardFixture.StyleName);
        var mine = entries.Single(e => e.GetProperty("name").GetString() == name);
        using (var thumbnail = await storage.GetAsync(mine.GetProperty("url").GetString()))
        {
            Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        }

        using var second = await fixture.Api.PostAsync("/api/uploads", Json($$"""{"fileName":"{{name}}.png","library":"styles"}"""));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task Storage_lets_the_dashboard_origin_put_and_get_and_no_other_origin()
    {
        var origin = fixture.BaseAddress.GetLeftPart(UriPartial.Authority);
        var ticket = await TicketAsync("""{"fileName":"cors.png"}""");
        var url = new Uri(ticket.GetProperty("uploadUrl").GetString()!);
        using var storage = new HttpClient();

        using var allowed = await storage.SendAsync(Preflight(url, origin));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(origin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var refused = await storage.SendAsync(Preflight(url, "http://127.0.0.1:1"));
        Assert.False(refused.IsSuccessStatusCode, "A foreign origin passed the storage CORS preflight.");
    }

    [Fact]
    public async Task Many_host_origins_share_one_managed_cors_rule()
    {
        // A storage service holds at most five CORS rules; test runs start dozens of hosts on free ports.
        var store = new BlobArtworkStore(fixture.Blobs);
        var origins = Enumerable.Range(0, 8).Select(i => $"http://127.0.0.1:{20000 + i}").ToList();
        foreach (var origin in origins)
        {
            await store.AllowBrowserOriginAsync(origin);
        }

        var rules = (await fixture.Blobs.GetPropertiesAsync()).Value.Cors;
        var managed = Assert.Single(rules, StorageCors.IsManaged);
        Assert.Superset(origins.ToHashSet(), StorageCors.Origins(managed).ToHashSet());
        Assert.Contains(fixture.BaseAddress.GetLeftPart(UriPartial.Authority), StorageCors.Origins(managed));

        var ticket = await TicketAsync("""{"fileName":"many.png"}""");
        using var storage = new HttpClient();
        using var preflight = await storage.SendAsync(Preflight(new Uri(ticket.GetProperty("uploadUrl").GetString()!), origins[^1]));
        Assert.Equal(HttpStatusCode.OK, preflight.StatusCode);
    }

    private static HttpRequestMessage Preflight(Uri url, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-ms-blob-type");
        return request;
    }

    private async Task<JsonElement> TicketAsync(string body)
    {
        using var response = await fixture.Api.PostAsync("/api/uploads", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /api/uploads answered {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, Uri url, byte[] content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(content) };
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return await client.SendAsync(request);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
