using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Chunks;
using NeuralArt.Pipeline.Dashboard;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Inbox;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Orchestration;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Pipeline.Sweeps;

namespace NeuralArt.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the pipeline's shared pieces: options (section <see cref="PipelineOptions.SectionName"/>),
    /// the blob store over <paramref name="blobService"/>, the activities, the HTTP handlers and the
    /// inbox starter. Engines (<see cref="NeuralArt.Contract.IArtworkEngine"/>) and the input inspector
    /// (<see cref="NeuralArt.Contract.IInputInspector"/>) are the host's to register, from the engines' assembly.
    /// </summary>
    public static IServiceCollection AddNeuralArtPipeline(
        this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, BlobServiceClient> blobService)
    {
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.SectionName));
        services.AddOptions<JobLimitsOptions>().Bind(configuration.GetSection(JobLimitsOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(blobService);
        services.TryAddSingleton<BlobArtworkStore>();
        services.TryAddSingleton<IArtworkStore>(sp => sp.GetRequiredService<BlobArtworkStore>());
        return services.AddNeuralArtPipelineCore();
    }

    /// <summary>
    /// The queued chunk executor's pieces (options in <see cref="ChunkQueueOptions.SectionName"/>, the
    /// queues over <paramref name="queueService"/>, the worker loop and the result relay). Every host
    /// that runs the pipeline's activities registers them: the dispatch activity needs the queues.
    /// </summary>
    public static IServiceCollection AddChunkQueues(
        this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, QueueServiceClient> queueService)
    {
        services.AddOptions<ChunkQueueOptions>().Bind(configuration.GetSection(ChunkQueueOptions.SectionName));
        services.TryAddSingleton(sp => new ChunkQueues(queueService(sp), sp.GetRequiredService<IOptions<ChunkQueueOptions>>(), sp.GetRequiredService<ILogger<ChunkQueues>>()));
        services.TryAddSingleton<ChunkWorker>();
        services.TryAddSingleton<ChunkResultRelay>();
        services.TryAddSingleton<DispatchChunkActivity>();
        return services;
    }

    /// <summary>The pipeline without the blob store: for callers that register their own <see cref="IArtworkStore"/> (tests).</summary>
    public static IServiceCollection AddNeuralArtPipelineCore(this IServiceCollection services)
    {
        services.AddOptions<PipelineOptions>();
        services.AddOptions<JobLimitsOptions>();
        services.AddOptions<ChunkQueueOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JobDoor>();
        services.TryAddSingleton<AdmissionControl>();
        services.TryAddSingleton<AdmitJobActivity>();
        services.TryAddSingleton<CheckpointStore>();
        services.TryAddSingleton<ChunkRunLog>();
        services.TryAddSingleton<ArtworkEngines>();
        services.TryAddSingleton<JobRequestFactory>();
        services.TryAddSingleton<JobsApi>();
        services.TryAddSingleton<UploadsApi>();
        services.TryAddSingleton<StylesApi>();
        services.TryAddSingleton<DashboardHandler>();
        services.TryAddSingleton<InboxJobStarter>();
        services.TryAddSingleton<PrepareArtworkActivity>();
        services.TryAddSingleton<RunChunkActivity>();
        services.TryAddSingleton<FinalizeArtworkActivity>();
        services.TryAddSingleton<RecordFailureActivity>();
        services.TryAddTransient<ArtworkOrchestration>();
        services.TryAddSingleton<SweepDoor>();
        services.TryAddSingleton<SweepsApi>();
        services.TryAddSingleton<ContactSheet>();
        services.TryAddSingleton<SweepSheetActivity>();
        return services;
    }
}
