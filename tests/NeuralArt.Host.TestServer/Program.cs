using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Contract;
using NeuralArt.Engine;
using NeuralArt.Host;
using NeuralArt.Testing;

// The local host exactly as `neuralart serve` runs it, with the blur engines instead of the real ones;
// or, with --TestServer:RealEngines=true, the real engines of the one engine list (for tests that
// kill -9 a host running a real engine).
var app = LocalHost.Build(args, (services, configuration) =>
{
    if (configuration.GetValue<bool>("TestServer:RealEngines"))
    {
        services.AddArtworkEngines(configuration);
        return;
    }

    services.AddImageInputs(configuration);
    services.AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Dream));
    services.AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Style));
});
await app.RunAsync();
