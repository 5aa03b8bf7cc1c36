using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NeuralArt.Contract;
using NeuralArt.Engine;
using NeuralArt.Host;
using NeuralArt.Testing;

// The local host exactly as `neuralart serve` runs it, with the blur engines instead of the real ones;
// or, with --TestServer:RealEngines=true, the real engines of the one engine list (for tests that
// kill -9 a host running a real engine).
// With --TestServer:Worker=true it is `neuralart worker` instead: the chunk worker over the same engines.
var worker = args.Contains("--TestServer:Worker=true");
using IHost app = worker ? LocalHost.BuildWorker(args, AddEngines) : LocalHost.Build(args, AddEngines);
await app.RunAsync();

static void AddEngines(IServiceCollection services, IConfiguration configuration)
{
    if (configuration.GetValue<bool>("TestServer:RealEngines"))
    {
        services.AddArtworkEngines(configuration);
        return;
    }

    services.AddImageInputs(configuration);
    services.AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Dream));
    services.AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Style));
}
