using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Contract;
using NeuralArt.Engine.Style;

namespace NeuralArt.Engine.Tests.Style;

public class StyleRegistrationTests
{
    [Fact]
    public void Style_and_dream_engines_register_side_by_side_once_each()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NeuralArt:Engine:ExecutionProvider"] = "cpu",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddDeepDreamEngine(configuration).AddNeuralStyleEngine(configuration);
        services.AddNeuralStyleEngine(configuration);
        using var provider = services.BuildServiceProvider();

        var engines = provider.GetServices<IArtworkEngine>().ToList();
        Assert.Equal([ArtworkKinds.Dream, ArtworkKinds.Style], engines.Select(e => e.Kind).Order());
        Assert.IsType<NeuralStyleEngine>(engines.Single(e => e.Kind == ArtworkKinds.Style));
    }
}
