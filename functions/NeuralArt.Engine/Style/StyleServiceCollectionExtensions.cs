using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;

namespace NeuralArt.Engine;

/// <summary>Registers the style transfer engine next to the shared engine runtime.</summary>
public static class StyleServiceCollectionExtensions
{
    /// <summary>The style transfer engine (kind <c>style</c>) as an <see cref="IArtworkEngine"/>. Safe to call more than once.</summary>
    public static IServiceCollection AddNeuralStyleEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEngineRuntime(configuration);
        if (services.Any(d => d.ServiceType == typeof(NeuralStyleEngine))) return services;
        services.AddSingleton(sp => new NeuralStyleEngine(
            sp.GetRequiredService<IGraphSource>(),
            sp.GetRequiredService<OnnxSessionPool>(),
            sp.GetRequiredService<ImageLoader>(),
            sp.GetService<ILogger<NeuralStyleEngine>>(),
            sp.GetRequiredService<IOptions<EngineOptions>>().Value));
        services.AddSingleton<IArtworkEngine>(sp => sp.GetRequiredService<NeuralStyleEngine>());
        return services;
    }
}
