using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Engine;

namespace NeuralArt.Functions;

/// <summary>The engines this app runs (the Pipeline resolves them by kind from DI).</summary>
public static class EngineRegistration
{
    public static IServiceCollection AddArtworkEngines(this IServiceCollection services, IConfiguration configuration)
    {
        // Engines register here as they land (DeepDream, style transfer).
        services.AddDeepDreamEngine(configuration);
        services.AddNeuralStyleEngine(configuration);
        return services;
    }
}
