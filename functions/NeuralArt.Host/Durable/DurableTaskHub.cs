using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Orchestration;
using NeuralArt.Pipeline.Sweeps;

namespace NeuralArt.Host.Durable;

/// <summary>
/// The Durable Task Framework on the Azure Storage backend, running the Pipeline's portable
/// orchestration and activities through <see cref="DurableTaskShimFactory"/>. Several hosts on one
/// storage account and task hub share the partitions (and so the jobs) between them.
/// </summary>
public sealed class DurableTaskHub : IHostedService, IAsyncDisposable
{
    private readonly IServiceProvider services;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger<DurableTaskHub> logger;
    private readonly TimeSpan gracePeriod;
    private TaskHubWorker? worker;

    public DurableTaskHub(IOptions<LocalHostOptions> options, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        this.services = services;
        this.loggerFactory = loggerFactory;
        logger = loggerFactory.CreateLogger<DurableTaskHub>();
        var settings = options.Value;
        gracePeriod = settings.ShutdownGracePeriod;
        Settings = new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(settings.StorageConnectionString),
            TaskHubName = settings.TaskHubName,
            // Unique per process: two hosts on one machine must not share partition leases.
            WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}",
            PartitionCount = settings.PartitionCount,
            MaxQueuePollingInterval = settings.MaxQueuePollingInterval,
            WorkItemQueueVisibilityTimeout = settings.WorkItemVisibilityTimeout,
            ControlQueueVisibilityTimeout = settings.ControlQueueVisibilityTimeout,
            LeaseInterval = settings.LeaseInterval,
            LeaseRenewInterval = settings.LeaseInterval / 3,
            LeaseAcquireInterval = settings.LeaseInterval / 3,
            MaxConcurrentTaskActivityWorkItems = settings.MaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = settings.MaxConcurrentOrchestrations,
            LoggerFactory = loggerFactory,
        };
        Service = new AzureStorageOrchestrationService(Settings);
        Client = new TaskHubClient(Service, new SystemTextJsonDataConverter(Microsoft.DurableTask.Converters.JsonDataConverter.Default), loggerFactory);
    }

    public AzureStorageOrchestrationServiceSettings Settings { get; }

    public AzureStorageOrchestrationService Service { get; }

    /// <summary>The framework client; payloads go through the portable API's System.Text.Json converter, as the shims expect.</summary>
    public TaskHubClient Client { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Service.CreateIfNotExistsAsync().ConfigureAwait(false);
        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions(), loggerFactory);
        worker = new TaskHubWorker(Service, loggerFactory)
        {
            // The portable API reads failures (TaskFailedException.FailureDetails) from failure details.
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        worker.AddTaskOrchestrations(new ShimCreator<TaskOrchestration>(
            ArtworkOrchestration.Name, () => shims.CreateOrchestration(ArtworkOrchestration.Name, new ArtworkOrchestration())));
        worker.AddTaskOrchestrations(new ShimCreator<TaskOrchestration>(
            SweepOrchestration.Name, () => shims.CreateOrchestration(SweepOrchestration.Name, new SweepOrchestration())));
        foreach (var (name, activity) in PipelineTasks.Activities(services))
        {
            worker.AddTaskActivities(new ShimCreator<TaskActivity>(name, () => shims.CreateActivity(name, activity)));
        }

        await worker.StartAsync().ConfigureAwait(false);
        logger.LogInformation("Durable task hub '{TaskHub}' started as worker {WorkerId}.", Settings.TaskHubName, Settings.WorkerId);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (worker is null) return;
        // Not forced: a chunk in flight finishes, or its message comes back after the visibility
        // timeout. With storage unreachable the framework's stop retries its partition leases for
        // minutes, so the wait ends with the host's shutdown token (the grace period) instead.
        var stopping = worker.StopAsync(isForced: cancellationToken.IsCancellationRequested);
        worker = null;
        try
        {
            await stopping.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("The task hub did not stop within the shutdown grace period (storage unreachable?); the host exits without it.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (worker is null) return;
        var stopping = worker.StopAsync(isForced: true);
        worker = null;
        try
        {
            await stopping.WaitAsync(gracePeriod).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("The task hub did not stop within the shutdown grace period; the host is disposed without it.");
        }
    }
}
