using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using NeuralArt.Functions;
using NeuralArt.Pipeline;

// The Functions app: the Pipeline's shared pieces over the app's storage account, and the engines.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

var storage = builder.Configuration[StorageSettings.ConnectionSetting] ?? StorageSettings.DevelopmentStorage;
builder.Services.AddNeuralArtPipeline(builder.Configuration, _ => new BlobServiceClient(storage));
builder.Services.AddArtworkEngines(builder.Configuration);

builder.Build().Run();
