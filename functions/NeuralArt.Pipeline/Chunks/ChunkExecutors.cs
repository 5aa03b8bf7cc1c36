namespace NeuralArt.Pipeline.Chunks;

/// <summary>Where a job's chunks run (<see cref="ChunkQueueOptions.Executor"/>).</summary>
public static class ChunkExecutors
{
    /// <summary>The RunChunk activity runs the engine itself (the default: <c>neuralart serve</c>, CPU deployments, the in-process GPU app).</summary>
    public const string InProcess = "inProcess";

    /// <summary>An activity puts a chunk message on a queue; a worker process runs it and reports back as an external event.</summary>
    public const string Queued = "queued";

    public static bool IsKnown(string executor) =>
        string.Equals(executor, InProcess, StringComparison.OrdinalIgnoreCase) || string.Equals(executor, Queued, StringComparison.OrdinalIgnoreCase);

    public static bool IsQueued(string executor) => string.Equals(executor, Queued, StringComparison.OrdinalIgnoreCase);
}
