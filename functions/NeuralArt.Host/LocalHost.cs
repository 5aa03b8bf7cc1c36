using System.Net;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Host.Chunks;
using NeuralArt.Host.Durable;
using NeuralArt.Host.Http;
using NeuralArt.Host.Inbox;
using NeuralArt.Pipeline;
using NeuralArt.Pipeline.Chunks;
using NeuralArt.Pipeline.Durable;

namespace NeuralArt.Host;

/// <summary>
/// The local host: the Pipeline's orchestration and activities on the Durable Task Framework's Azure
/// Storage backend, the HTTP API on loopback, and the inbox watcher. Engines come from the caller.
/// </summary>
public static class LocalHost
{
    /// <summary>
    /// Builds the host. Configuration: <c>NeuralArt:Host</c> (<see cref="LocalHostOptions"/>) and
    /// <c>NeuralArt:Pipeline</c> (<see cref="PipelineOptions"/>) from arguments, environment
    /// (<c>NeuralArt__Host__...</c>) and <paramref name="configure"/>.
    /// </summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection, IConfiguration> addEngines, Action<LocalHostOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        var options = builder.Configuration.GetSection(LocalHostOptions.SectionName).Get<LocalHostOptions>() ?? new LocalHostOptions();
        configure?.Invoke(options);
        var url = RequireLoopback(options.Url);
        builder.WebHost.UseUrls(url.ToString());

        // Per-request and framework chatter drowns the job log lines; appsettings can lower these again.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("DurableTask", LogLevel.Warning);
        builder.Logging.AddFilter("Azure", LogLevel.Warning);

        AddBoundedShutdown(builder.Services, options);
        builder.Services.AddSingleton(FunctionKey.Resolve(options));
        builder.Services.AddNeuralArtPipeline(builder.Configuration, _ => new BlobServiceClient(options.StorageConnectionString));
        builder.Services.AddChunkQueues(builder.Configuration, _ => StorageClients.Queues(options));
        addEngines(builder.Services, builder.Configuration);

        // Start order matters: containers, then the task hub, then whatever starts jobs.
        builder.Services.AddHostedService<StorageInitializer>();
        builder.Services.AddSingleton<DurableTaskHub>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DurableTaskHub>());
        builder.Services.AddSingleton<IJobClient, TaskHubJobClient>();
        builder.Services.AddSingleton<InboxWatcher>();
        if (ChunkExecutors.IsQueued(builder.Configuration[$"{ChunkQueueOptions.SectionName}:{nameof(ChunkQueueOptions.Executor)}"] ?? ChunkExecutors.InProcess))
        {
            // Chunks run on `neuralart worker` processes: their results come back through this watcher.
            builder.Services.AddHostedService<ChunkResultWatcher>();
        }

        if (options.WatchInbox)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<InboxWatcher>());
        }

        var app = builder.Build();
        app.UseMiddleware<FunctionKeyMiddleware>();
        app.MapJobsApi();
        app.MapSweepsApi();
        app.MapDashboard();
        return app;
    }

    /// <summary>
    /// The chunk worker process (<c>neuralart worker</c>): the Pipeline's <see cref="ChunkWorker"/> loop over
    /// the data account's chunk queues, with the engines from the caller, no HTTP and no task hub. It ends
    /// when the queue has been empty for the idle time, or within the grace period of SIGTERM or Ctrl+C.
    /// Configuration: <c>NeuralArt:Host</c> (storage, grace period), <c>NeuralArt:Chunks</c>, <c>NeuralArt:Pipeline</c>.
    /// </summary>
    public static IHost BuildWorker(string[] args, Action<IServiceCollection, IConfiguration> addEngines, Action<LocalHostOptions>? configure = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(args);
        var options = builder.Configuration.GetSection(LocalHostOptions.SectionName).Get<LocalHostOptions>() ?? new LocalHostOptions();
        configure?.Invoke(options);
        builder.Logging.AddFilter("Azure", LogLevel.Warning);
        AddBoundedShutdown(builder.Services, options);
        builder.Services.AddNeuralArtPipeline(builder.Configuration, _ => StorageClients.Blobs(options));
        builder.Services.AddChunkQueues(builder.Configuration, _ => StorageClients.Queues(options));
        // Each chunk's run record (job.json's chunkRuns) names the worker that ran it.
        builder.Services.AddOptions<PipelineOptions>().PostConfigure<IOptions<ChunkQueueOptions>>((pipeline, chunks) =>
            pipeline.RunnerName = chunks.Value.WorkerName is { Length: > 0 } name ? name : pipeline.RunnerName);
        addEngines(builder.Services, builder.Configuration);
        builder.Services.AddHostedService<ChunkWorkerService>();
        return builder.Build();
    }

    /// <summary>
    /// SIGTERM or Ctrl+C ends the process within the grace period even when storage is unreachable:
    /// every hosted service's stop gets that long, and a watchdog ends a stop that ignores it.
    /// </summary>
    private static void AddBoundedShutdown(IServiceCollection services, LocalHostOptions options)
    {
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownGracePeriod);
        services.AddHostedService<ShutdownWatchdog>();
    }

    /// <summary>The HTTP API is for this machine only.</summary>
    private static Uri RequireLoopback(string url)
    {
        var uri = new Uri(url);
        var loopback = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        return loopback ? uri : throw new ArgumentException($"The local host listens on loopback only; '{url}' is not a loopback address.", nameof(url));
    }
}
