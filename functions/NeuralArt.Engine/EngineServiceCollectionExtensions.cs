using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Video;
using NeuralArt.Engine.Zoom;
using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Engine;

/// <summary>Registers the engines and what they share, as singletons (one session per graph per process).</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Options (<c>NeuralArt:Engine</c>, <c>NeuralArt:Images</c>), the models folder and its compiled
    /// graphs, the ONNX Runtime session pool and the image loader. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddEngineRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.SectionName));
        services.AddOptions<OnnxRuntimeOptions>().Bind(configuration.GetSection(OnnxRuntimeOptions.SectionName));
        services.AddImageInputs(configuration);
        services.TryAddSingleton(sp => ModelCatalog.Locate(sp.GetRequiredService<IOptions<EngineOptions>>().Value.ModelsDirectory));
        services.TryAddSingleton<IGraphSource>(sp => new CatalogGraphSource(
            sp.GetRequiredService<ModelCatalog>(), sp.GetRequiredService<IOptions<EngineOptions>>().Value.MaxCompiledGraphs));
        // Factories: the pool and the loader also have option-object constructors for the CLI and tests.
        services.TryAddSingleton(sp => new OnnxSessionPool(
            sp.GetRequiredService<IOptions<OnnxRuntimeOptions>>(), sp.GetService<ILogger<OnnxSessionPool>>()));
        return services;
    }

    /// <summary>
    /// Image limits (<c>NeuralArt:Images</c>), the image loader, and the hosts' <see cref="IInputInspector"/>
    /// over it: what a host needs to check inputs at its door, whatever engines it runs.
    /// </summary>
    public static IServiceCollection AddImageInputs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImageLimits>().Bind(configuration.GetSection(ImageLimits.SectionName));
        services.TryAddSingleton(sp => new ImageLoader(sp.GetRequiredService<IOptions<ImageLimits>>()));
        // Video headers are probed with the engines' ffprobe (EngineOptions), so the door can check clips too.
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.SectionName));
        services.TryAddSingleton<IInputInspector>(sp => new ImageInputInspector(sp.GetRequiredService<ImageLoader>(),
            sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetService<ILogger<ImageInputInspector>>()));
        return services;
    }

    /// <summary>The DeepDream engine (kind <c>dream</c>) as an <see cref="IArtworkEngine"/>.</summary>
    public static IServiceCollection AddDeepDreamEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEngineRuntime(configuration);
        services.TryAddSingleton(sp => new DeepDreamEngine(
            sp.GetRequiredService<IGraphSource>(),
            sp.GetRequiredService<OnnxSessionPool>(),
            sp.GetRequiredService<ImageLoader>(),
            sp.GetService<ILogger<DeepDreamEngine>>(),
            sp.GetRequiredService<IOptions<EngineOptions>>().Value));
        services.AddSingleton<IArtworkEngine>(sp => sp.GetRequiredService<DeepDreamEngine>());
        return services;
    }

    /// <summary>
    /// The DeepDream zoom engine (kind <c>zoom</c>) as an <see cref="IArtworkEngine"/>; its ffmpeg is
    /// <see cref="EngineOptions.FfmpegPath"/> (<c>NeuralArt__Engine__FfmpegPath</c>). Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddZoomEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEngineRuntime(configuration);
        if (services.Any(d => d.ServiceType == typeof(ZoomEngine))) return services;
        services.AddSingleton(sp => new ZoomEngine(
            sp.GetRequiredService<IGraphSource>(),
            sp.GetRequiredService<OnnxSessionPool>(),
            sp.GetRequiredService<ImageLoader>(),
            sp.GetService<ILogger<ZoomEngine>>(),
            sp.GetRequiredService<IOptions<EngineOptions>>().Value));
        services.AddSingleton<IArtworkEngine>(sp => sp.GetRequiredService<ZoomEngine>());
        return services;
    }

    public static IServiceCollection AddVideoStyleEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEngineRuntime(configuration);
        if (services.Any(d => d.ServiceType == typeof(VideoStyleEngine))) return services;
        services.AddSingleton(sp => new VideoStyleEngine(
            sp.GetRequiredService<IGraphSource>(),
            sp.GetRequiredService<OnnxSessionPool>(),
            sp.GetRequiredService<ImageLoader>(),
            sp.GetService<ILogger<VideoStyleEngine>>(),
            sp.GetRequiredService<IOptions<EngineOptions>>().Value));
        services.AddSingleton<IArtworkEngine>(sp => sp.GetRequiredService<VideoStyleEngine>());
        return services;
    }

    public static IServiceCollection AddVideoDreamEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEngineRuntime(configuration);
        if (services.Any(d => d.ServiceType == typeof(VideoDreamEngine))) return services;
        services.AddSingleton(sp => new VideoDreamEngine(
            sp.GetRequiredService<IGraphSource>(),
            sp.GetRequiredService<OnnxSessionPool>(),
            sp.GetRequiredService<ImageLoader>(),
            sp.GetService<ILogger<VideoDreamEngine>>(),
            sp.GetRequiredService<IOptions<EngineOptions>>().Value));
        services.AddSingleton<IArtworkEngine>(sp => sp.GetRequiredService<VideoDreamEngine>());
        return services;
    }
}
