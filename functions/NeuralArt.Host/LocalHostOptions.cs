namespace NeuralArt.Host;

/// <summary>Settings of the local host (section <c>NeuralArt:Host</c>, or <c>neuralart serve</c> options).</summary>
public sealed class LocalHostOptions
{
    public const string SectionName = "NeuralArt:Host";

    /// <summary>The Azurite connection string the Azure SDKs understand (blob 10000, queue 10001, table 10002).</summary>
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>Storage for blobs and the Durable task hub: Azurite by default, or any account's connection string.</summary>
    public string StorageConnectionString { get; set; } = DevelopmentStorage;

    /// <summary>A storage account reached with a managed identity instead of <see cref="StorageConnectionString"/> (the GPU worker job in Azure).</summary>
    public string? StorageAccountName { get; set; }

    /// <summary>Client ID of the user-assigned identity used with <see cref="StorageAccountName"/>.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Durable task hub name (queues and tables are named after it). Hosts sharing one hub share the work.</summary>
    public string TaskHubName { get; set; } = "neuralart";

    /// <summary>Where the HTTP API listens. Loopback only: the host is not meant to face a network.</summary>
    public string Url { get; set; } = "http://127.0.0.1:7071";

    /// <summary>
    /// The key every API call must present (header <c>x-functions-key</c> or query <c>code</c>), like a
    /// Functions function key. When empty, one is generated and written to <see cref="KeyFile"/>.
    /// </summary>
    public string? FunctionKey { get; set; }

    /// <summary>Where the key is written for <c>neuralart submit</c> to find (default: ~/.neuralart/function.key).</summary>
    public string KeyFile { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".neuralart", "function.key");

    /// <summary>Container Apps' own grace between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan DefaultShutdownGracePeriod = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long SIGTERM or Ctrl+C may take to end the host, whatever storage does: past it the task
    /// hub is left as it is (a chunk in flight comes back to another host after its visibility
    /// timeout; its checkpoint is written whole or not at all), and a watchdog ends the process.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = DefaultShutdownGracePeriod;

    /// <summary>Watch the inbox container and start jobs for new blobs.</summary>
    public bool WatchInbox { get; set; } = true;

    public TimeSpan InboxPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Longest wait between queue polls when idle (the framework backs off up to this). Every activity
    /// hop waits up to this long, so it is short locally (the framework's default is 30 s).
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a dequeued work item stays invisible: after a crash, a chunk in flight is picked up
    /// again this long after its last renewal. Short locally so that a killed host recovers quickly.
    /// </summary>
    public TimeSpan WorkItemVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Partition lease length: how long a dead host's partitions wait before another host takes them.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Control-queue partitions: the most hosts that can run orchestrations side by side.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>Activities (chunks) run at once by this host: one per GPU.</summary>
    public int MaxConcurrentActivities { get; set; } = 1;

    public int MaxConcurrentOrchestrations { get; set; } = 16;
}
