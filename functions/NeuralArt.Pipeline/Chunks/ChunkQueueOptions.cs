namespace NeuralArt.Pipeline.Chunks;

/// <summary>
/// Settings of the queued chunk executor (section <c>NeuralArt:Chunks</c>), read by the hosts that
/// dispatch chunks and by the workers that run them. Queue names are shared with infra/main.bicep.
/// </summary>
public sealed class ChunkQueueOptions
{
    public const string SectionName = "NeuralArt:Chunks";

    /// <summary><see cref="ChunkExecutors.InProcess"/> (default) or <see cref="ChunkExecutors.Queued"/>; fixed into each job at submission.</summary>
    public string Executor { get; set; } = ChunkExecutors.InProcess;

    /// <summary>Chunk messages for the workers (the KEDA rule of the GPU job scales on its length).</summary>
    public string ChunksQueue { get; set; } = DefaultChunksQueue;

    public const string DefaultChunksQueue = "chunks";

    /// <summary>Chunk results for the orchestrations (a queue trigger in the Functions app, a watcher in the local host).</summary>
    public string ResultsQueue { get; set; } = DefaultResultsQueue;

    /// <summary>The Functions app's queue trigger names this one (an attribute takes a constant).</summary>
    public const string DefaultResultsQueue = "chunk-results";

    /// <summary>Where a message that cannot be handled goes (the Functions convention: <c>{queue}-poison</c>).</summary>
    public const string PoisonSuffix = "-poison";

    /// <summary>Deliveries of one message before it is moved to its poison queue.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>
    /// How long the orchestration waits for one dispatch's result before it dispatches again. Unset: the
    /// job's chunk budget times <see cref="ResultDeadlineBudgetFactor"/> plus <see cref="WorkerStartAllowance"/>.
    /// </summary>
    public TimeSpan? ResultDeadline { get; set; }

    /// <summary>A chunk may overrun its budget (the first chunk measures, a new phase may be bigger).</summary>
    public double ResultDeadlineBudgetFactor { get; set; } = 3;

    /// <summary>A cold worker's start before its first chunk: image pull, CUDA, sessions, compiled graphs.</summary>
    public TimeSpan WorkerStartAllowance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Dispatches of one chunk (each waits <see cref="ResultDeadline"/>) before the job fails.</summary>
    public int MaxDispatches { get; set; } = 3;

    /// <summary>How long a taken chunk message stays invisible; renewed while its chunk runs, so a killed worker's chunk returns this long after.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A worker exits after the queue has been empty this long (zero: never), so a cold start is paid once per burst.</summary>
    public TimeSpan WorkerIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait between polls of an empty queue (polls back off from a tenth of a second up to this).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a failed chunk's message stays hidden before it is delivered again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A worker takes no new message once it has run this long (zero: no limit), so that its last chunk
    /// ends before the platform's replica timeout (infra sets it from the timeout and the chunk budget).
    /// </summary>
    public TimeSpan WorkerStopTakingAfter { get; set; }

    /// <summary>
    /// Create the queues when missing (locally). Off in Azure: the infra creates them, and the identities
    /// hold only message rights on single queues, not the account-level right to create one.
    /// </summary>
    public bool CreateQueues { get; set; } = true;

    /// <summary>The worker's name, recorded with each chunk it runs (a worker host makes it the pipeline's RunnerName; default: machine and process id).</summary>
    public string? WorkerName { get; set; }

    public bool IsQueued => ChunkExecutors.IsQueued(Executor);

    /// <summary>The result deadline of a job whose chunks have a budget of <paramref name="chunkBudgetSeconds"/>.</summary>
    public TimeSpan ResultDeadlineFor(double chunkBudgetSeconds) =>
        ResultDeadline ?? TimeSpan.FromSeconds(chunkBudgetSeconds * ResultDeadlineBudgetFactor) + WorkerStartAllowance;
}
