using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace NeuralArt.Engine;

/// <summary>
/// The one list of engines: the Functions app, the local host (<c>neuralart serve</c>) and the CLI's
/// pipeline commands all register exactly these. A new engine is added here and nowhere else; the
/// pipeline finds it by its descriptor.
/// </summary>
public static class EngineModules
{
    public static IServiceCollection AddArtworkEngines(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDeepDreamEngine(configuration);
        services.AddNeuralStyleEngine(configuration);
        services.AddZoomEngine(configuration);
        services.AddVideoStyleEngine(configuration);
        services.AddVideoDreamEngine(configuration);
        return services;
    }
}
