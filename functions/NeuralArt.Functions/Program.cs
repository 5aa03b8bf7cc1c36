using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using NeuralArt.Engine;
using NeuralArt.Functions;
using NeuralArt.Pipeline;

// The Functions app: the Pipeline's shared pieces over the data storage account (StorageSettings:
// NeuralArtData, else AzureWebJobsStorage), and the engines.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

builder.Services.AddNeuralArtPipeline(builder.Configuration, _ => StorageSettings.CreateBlobServiceClient(builder.Configuration));
builder.Services.AddChunkQueues(builder.Configuration, _ => StorageSettings.CreateQueueServiceClient(builder.Configuration));
builder.Services.AddArtworkEngines(builder.Configuration);

builder.Build().Run();
