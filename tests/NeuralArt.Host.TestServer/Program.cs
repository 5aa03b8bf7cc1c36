using NeuralArt.Engine;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Contract;
using NeuralArt.Host;
using NeuralArt.Testing;

// The local host exactly as `neuralart serve` runs it, with the blur engines instead of the real ones.
var app = LocalHost.Build(args, (services, _) =>
{
    services.AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Dream));
    services.AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Style));
});
await app.RunAsync();
