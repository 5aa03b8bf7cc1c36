using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using NeuralArt.Engine.Zoom;

namespace NeuralArt.Engine.Tests.Zoom;

public class ZoomRegistrationTests
{
    [Fact]
    public void Zoom_registers_once_beside_the_dream_with_ffmpeg_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NeuralArt:Engine:ExecutionProvider"] = "cpu",
            ["NeuralArt:Engine:FfmpegPath"] = "/opt/ffmpeg/bin/ffmpeg",
            ["NeuralArt:Engine:FfmpegTimeoutSeconds"] = "42",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddDeepDreamEngine(configuration).AddZoomEngine(configuration);
        services.AddZoomEngine(configuration);
        using var provider = services.BuildServiceProvider();

        var engines = provider.GetServices<IArtworkEngine>().ToList();
        Assert.Equal([ArtworkKinds.Dream, ArtworkKinds.Zoom], engines.Select(e => e.Kind).Order());
        Assert.IsType<ZoomEngine>(engines.Single(e => e.Kind == ArtworkKinds.Zoom));
        var options = provider.GetRequiredService<IOptions<EngineOptions>>().Value;
        Assert.Equal(("/opt/ffmpeg/bin/ffmpeg", 42), (options.FfmpegPath, options.FfmpegTimeoutSeconds));
    }
}
