using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;

namespace NeuralArt.Engine.Tests.Runtime;

public class RegistrationTests
{
    [Fact]
    public void Dream_engine_and_options_come_from_configuration()
    {
        // The app settings names the infra deploys (NeuralArt__Engine__ExecutionProvider and so on).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NeuralArt:Engine:ExecutionProvider"] = "cpu",
            ["NeuralArt:Engine:DeviceId"] = "1",
            ["NeuralArt:Engine:Model"] = "resnet18",
            ["NeuralArt:Engine:MaxSessions"] = "5",
            ["NeuralArt:Engine:MaxCompiledGraphs"] = "7",
            ["NeuralArt:Images:MaxPixels"] = "1234567",
            ["NeuralArt:Images:MaxSide"] = "3000",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddDeepDreamEngine(configuration);
        services.AddDeepDreamEngine(configuration);
        using var provider = services.BuildServiceProvider();

        var engines = provider.GetServices<IArtworkEngine>().ToList();
        Assert.Equal(ArtworkKinds.Dream, Assert.Single(engines.Distinct()).Kind);
        Assert.IsType<DeepDreamEngine>(engines[0]);
        var runtime = provider.GetRequiredService<IOptions<OnnxRuntimeOptions>>().Value;
        Assert.Equal((ExecutionProviderPreference.Cpu, 1), (runtime.ExecutionProvider, runtime.DeviceId));
        Assert.Equal((1234567L, 3000), (provider.GetRequiredService<ImageLoader>().Limits.MaxPixels, provider.GetRequiredService<ImageLoader>().Limits.MaxSide));
        Assert.Same(provider.GetRequiredService<OnnxSessionPool>(), provider.GetRequiredService<OnnxSessionPool>());
        Assert.Equal(5, provider.GetRequiredService<OnnxSessionPool>().Options.MaxSessions);
        Assert.Equal(7, Assert.IsType<CatalogGraphSource>(provider.GetRequiredService<IGraphSource>()).Cache.MaxEntries);
    }
}
