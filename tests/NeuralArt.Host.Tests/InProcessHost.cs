using NeuralArt.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Contract;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>
/// The local host built in this process around one real engine (the test server process registers
/// toy engines only), on its own task hub, with an HTTP client that carries the function key.
/// </summary>
internal sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessHost(WebApplication app, HttpClient http)
    {
        _app = app;
        Http = http;
    }

    public HttpClient Http { get; }

    public static async Task<InProcessHost> StartAsync(AzuriteFixture azurite, IArtworkEngine engine, string hubPrefix, params string[] extra)
    {
        var port = Azurite.FreePort();
        var args = HostProcess.FastRecoveryArguments(azurite.ConnectionString, $"{hubPrefix}{Guid.NewGuid():N}"[..16])
            .Append($"--NeuralArt:Host:Url=http://127.0.0.1:{port}")
            .Append("--NeuralArt:Host:WatchInbox=false")
            .Concat(extra)
            .ToArray();
        var app = LocalHost.Build(args, (services, configuration) => services.AddImageInputs(configuration).AddSingleton(engine));
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("x-functions-key", HostProcess.Key);
        return new InProcessHost(app, http);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
