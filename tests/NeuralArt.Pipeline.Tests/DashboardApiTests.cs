using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuralArt.Engine.Imaging;
using NeuralArt.Pipeline.Dashboard;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Pipeline.Tests;

/// <summary>The dashboard's handlers without a host: static files, upload links, the style library.</summary>
public sealed partial class DashboardApiTests
{
    private static readonly IServiceProvider ResultServices = new ServiceCollection().AddLogging().BuildServiceProvider();

    [Theory]
    [InlineData("cat", "cat")]
    [InlineData("My Photo (1)", "my-photo-1")]
    [InlineData("../../etc/passwd", "etc-passwd")]
    [InlineData("Ünïcödé 写真", "n-c-d")]
    [InlineData("---", "image")]
    public void File_names_become_safe_blob_names(string name, string slug) => Assert.Equal(slug, UploadsApi.Slug(name));

    [Fact]
    public async Task An_upload_gets_a_fresh_blob_under_uploads_and_a_link_for_it()
    {
        var store = new InMemoryArtworkStore();
        var (status, json, _) = await InvokeAsync(ctx => Uploads(store).CreateAsync(ctx.Request, default), "POST", "/api/uploads",
            """{"fileName":"Cat.PNG","contentType":"image/png"}""");
        Assert.Equal(200, status);
        Assert.Matches("^uploads/[0-9a-f]{32}/cat\\.png$", json.GetProperty("blob").GetString());
        Assert.Equal($"memory://{json.GetProperty("blob").GetString()}?upload", json.GetProperty("uploadUrl").GetString());
        Assert.Equal(new ImageLimits().MaxBytes, json.GetProperty("maxBytes").GetInt64());
        Assert.Equal("BlockBlob", json.GetProperty("headers").GetProperty("x-ms-blob-type").GetString());
    }

    [Fact]
    public async Task A_style_name_is_taken_once_whatever_the_extension()
    {
        var store = new InMemoryArtworkStore();
        store.Put(new BlobRef("styles", "starry-night.png"), [1]);
        var (status, json, _) = await InvokeAsync(ctx => Uploads(store).CreateAsync(ctx.Request, default), "POST", "/api/uploads",
            """{"fileName":"Starry Night.jpg","library":"styles"}""");
        Assert.Equal(409, status);
        Assert.Equal("fileName", json.GetProperty("field").GetString());

        (status, json, _) = await InvokeAsync(ctx => Uploads(store).CreateAsync(ctx.Request, default), "POST", "/api/uploads",
            """{"fileName":"Water Lilies.jpg","library":"styles"}""");
        Assert.Equal(200, status);
        Assert.Equal("styles/water-lilies.jpg", json.GetProperty("blob").GetString());
    }

    [Fact]
    public async Task The_style_library_lists_what_a_bare_name_resolves_to()
    {
        var store = new InMemoryArtworkStore();
        store.Put(new BlobRef("styles", "b.png"), [1]);
        store.Put(new BlobRef("styles", "b.jpg"), [1, 2]);
        store.Put(new BlobRef("styles", "a.webp"), [1]);
        store.Put(new BlobRef("styles", "notes.txt"), [1]);
        store.Put(new BlobRef("styles", "old/c.jpg"), [1]);
        var api = new StylesApi(store, Options.Create(new PipelineOptions()));
        var (status, json, _) = await InvokeAsync(_ => api.ListAsync(default), "GET", "/api/styles");
        Assert.Equal(200, status);
        var styles = json.GetProperty("styles").EnumerateArray().Select(s => (s.GetProperty("name").GetString(), s.GetProperty("blob").GetString())).ToList();
        Assert.Equal([("a", "styles/a.webp"), ("b", "styles/b.jpg")], styles);
    }

    [Fact]
    public async Task The_page_is_served_with_a_policy_and_its_root_needs_the_trailing_slash()
    {
        var handler = new DashboardHandler();
        var (status, _, headers, body) = await ServeAsync(handler, "/api/dashboard", null);
        Assert.Equal(302, status);
        Assert.Equal("/api/dashboard/", headers.Location.ToString());

        (status, _, headers, body) = await ServeAsync(handler, "/api/dashboard/", null);
        Assert.Equal(200, status);
        Assert.StartsWith("<!doctype html>", body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("script-src 'self'", headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", headers.XContentTypeOptions.ToString());

        (status, _, _, _) = await ServeAsync(handler, "/assets/missing.js", "assets/missing.js");
        Assert.Equal(404, status);
        (status, var type, _, _) = await ServeAsync(handler, "/assets/app.js", "assets/app.js");
        Assert.Equal(200, status);
        Assert.StartsWith("text/javascript", type);
    }

    [Fact]
    public async Task Every_file_the_page_loads_is_embedded()
    {
        var handler = new DashboardHandler();
        var (_, _, _, index) = await ServeAsync(handler, "/", null);
        var wanted = new Queue<string>(ReferencePattern().Matches(index).Select(m => m.Groups["path"].Value));
        var seen = new HashSet<string>();
        while (wanted.TryDequeue(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            Assert.Contains(path, DashboardHandler.Files);
            if (path.EndsWith(".js", StringComparison.Ordinal))
            {
                var (_, _, _, script) = await ServeAsync(handler, "/" + path, path);
                foreach (Match import in ImportPattern().Matches(script))
                {
                    wanted.Enqueue("assets/" + import.Groups["module"].Value);
                }
            }
        }

        Assert.Contains("assets/start.js", seen);
        Assert.Contains("assets/job.js", seen);
    }

    private static UploadsApi Uploads(IArtworkStore store) => new(store, new ImageInputInspector(new ImageLoader(new ImageLimits())), NullLogger<UploadsApi>.Instance);

    private static async Task<(int Status, string? ContentType, IHeaderDictionary Headers, string Body)> ServeAsync(DashboardHandler handler, string requestPath, string? path)
    {
        var context = new DefaultHttpContext { RequestServices = ResultServices };
        context.Request.Method = "GET";
        context.Request.Path = requestPath;
        var body = new MemoryStream();
        context.Response.Body = body;
        await handler.Serve(context.Request, path).ExecuteAsync(context);
        return (context.Response.StatusCode, context.Response.ContentType, context.Response.Headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    private static async Task<(int Status, JsonElement Json, IHeaderDictionary Headers)> InvokeAsync(Func<HttpContext, Task<IResult>> handler, string method, string path, string? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = ResultServices };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body ?? string.Empty));
        var response = new MemoryStream();
        context.Response.Body = response;
        await (await handler(context)).ExecuteAsync(context);
        var text = Encoding.UTF8.GetString(response.ToArray());
        return (context.Response.StatusCode, string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone(), context.Response.Headers);
    }

    /// <summary>src="assets/…" and href="assets/…" in the page.</summary>
    [GeneratedRegex(""""(?:src|href)="(?<path>assets/[^"]+)"(?=[\s>])"""")]
    private static partial Regex ReferencePattern();

    /// <summary>import … from './x.js' in a module.</summary>
    [GeneratedRegex("""from '\./(?<module>[a-z]+\.js)'""")]
    private static partial Regex ImportPattern();
}
