using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuralArt.Engine;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>
/// The real engines for the local host (<c>serve</c>, <c>bench-pipeline</c>): the engines' own DI
/// registration, with the session pool and models folder taken from the command's runtime options.
/// </summary>
internal static class PipelineEngines
{
    public static IServiceCollection AddPipelineEngines(this IServiceCollection services, IConfiguration configuration, RuntimeSettings settings)
    {
        // Registered first: the engine registration only adds what is not there yet.
        services.AddSingleton(sp => new OnnxSessionPool(settings.RuntimeOptions(), sp.GetService<ILogger<OnnxSessionPool>>()));
        services.AddSingleton(_ => ModelCatalog.Locate(settings.ModelsDirectory));
        var chosen = settings.EngineOptions();
        services.Configure<EngineOptions>(options =>
        {
            // Every engine option the command takes (--placement was once dropped here).
            options.Model = chosen.Model;
            options.ModelsDirectory = chosen.ModelsDirectory;
            options.StepPlacement = chosen.StepPlacement;
            options.PoolPlacement = chosen.PoolPlacement;
        });
        services.AddArtworkEngines(configuration);
        return services;
    }
}
