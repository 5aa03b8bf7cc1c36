using System.Text.RegularExpressions;
using NeuralArt.Pipeline.Chunks;

namespace NeuralArt.Functions.Tests;

/// <summary>
/// The queued executor's infrastructure (issue 22), read off infra/: the GPU worker job is event-driven
/// on the serverless GPU profile, scaled from zero by KEDA's azure-queue rule with the workers'
/// managed identity, with its executions, replica timeout and retries from parameters and the chunk
/// budget; the Function App moves to the CPU profile; the queue names are the code's.
/// </summary>
public sealed class InfraWorkerJobTests
{
    private static readonly string Main = InfraFiles.MainTemplate();
    private static readonly string Job = InfraFiles.Module("gpuWorkerJob.bicep");

    [Fact]
    public void The_worker_job_is_event_triggered_on_the_gpu_profile_and_scales_from_zero_on_the_chunk_queue()
    {
        Assert.Contains("resource job 'Microsoft.App/jobs@", Job, StringComparison.Ordinal);
        Assert.Contains("triggerType: 'Event'", Job, StringComparison.Ordinal);
        Assert.Matches(@"minExecutions: 0\s", Job);
        Assert.Contains("maxExecutions: maxExecutions", Job, StringComparison.Ordinal);
        Assert.Contains("type: 'azure-queue'", Job, StringComparison.Ordinal);
        Assert.Contains("queueName: chunksQueueName", Job, StringComparison.Ordinal);
        // Its entry point is the CLI's worker.
        Assert.Matches(@"command: \[\s*'neuralart'\s*\]\s*args: \[\s*'worker'", Job);

        var module = ModuleCall("gpuWorkers");
        Assert.Contains("workloadProfileName: gpuProfileName", module, StringComparison.Ordinal);
        Assert.Contains("maxExecutions: maxGpus", module, StringComparison.Ordinal);
        Assert.Contains("module gpuWorkers 'modules/gpuWorkerJob.bicep' = if (queued", Main, StringComparison.Ordinal);
    }

    [Fact]
    public void The_scale_rule_authenticates_with_the_managed_identity_and_holds_no_secret()
    {
        var code = Regex.Replace(Job, @"//[^\n]*", string.Empty);
        var rule = Regex.Match(code, @"rules: \[(?<rule>[\s\S]*?)\n          \]").Groups["rule"].Value;
        Assert.Contains("identity: identityId", rule, StringComparison.Ordinal);
        Assert.Contains("accountName: storageAccountName", rule, StringComparison.Ordinal);
        Assert.DoesNotContain("connection", rule, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secret", code, StringComparison.OrdinalIgnoreCase);
        // The worker reaches storage by account name with its identity (LocalHostOptions), not a key.
        Assert.Contains("NeuralArt__Host__StorageAccountName: storageAccountName", Job, StringComparison.Ordinal);
        Assert.Contains("NeuralArt__Host__ManagedIdentityClientId: identityClientId", Job, StringComparison.Ordinal);
    }

    [Fact]
    public void Replica_timeout_and_retries_come_from_the_chunk_budget()
    {
        Assert.Contains("replicaTimeout: replicaTimeoutSeconds", Job, StringComparison.Ordinal);
        Assert.Contains("replicaRetryLimit: replicaRetryLimit", Job, StringComparison.Ordinal);
        var module = ModuleCall("gpuWorkers");
        Assert.Contains("replicaTimeoutSeconds: workerTimeoutSeconds", module, StringComparison.Ordinal);
        Assert.Contains("var chunkDeadlineSeconds = 3 * chunkTimeBudgetSeconds", Main, StringComparison.Ordinal);
        Assert.Contains("var workerTimeoutSeconds = max(workerReplicaTimeoutSeconds, workerStartAllowanceSeconds + 2 * chunkDeadlineSeconds)", Main, StringComparison.Ordinal);
        // The deadline factor and start allowance the template assumes are the code's defaults.
        var defaults = new ChunkQueueOptions();
        Assert.Equal(3, defaults.ResultDeadlineBudgetFactor);
        Assert.Equal(TimeSpan.FromSeconds(int.Parse(Regex.Match(Main, @"var workerStartAllowanceSeconds = (\d+)").Groups[1].Value)), defaults.WorkerStartAllowance);
        // The worker stops taking chunks one deadline and one start allowance before the timeout.
        Assert.Contains("NeuralArt__Chunks__WorkerStopTakingAfter: workerStopTakingAfter", Main, StringComparison.Ordinal);
    }

    [Fact]
    public void The_function_app_runs_on_the_cpu_profile_when_queued_and_the_admission_cap_follows_the_gpus()
    {
        var module = ModuleCall("functionApp");
        Assert.Contains("workloadProfileName: queued ? cpuApp.profile : gpuProfileName", module, StringComparison.Ordinal);
        Assert.Contains("profile: 'Consumption'", Main, StringComparison.Ordinal);
        Assert.Contains("maxReplicas: queued ? maxReplicas : maxGpus", module, StringComparison.Ordinal);
        Assert.Contains("NeuralArt__Limits__MaxRunningJobs: maxGpus", Main, StringComparison.Ordinal);
        Assert.Contains("NeuralArt__Chunks__Executor: chunkExecutor", Main, StringComparison.Ordinal);
        // On the CPU profile the app's own engine work (Prepare, Finalize) must not ask for CUDA.
        Assert.Contains("queued ? { NeuralArt__Engine__ExecutionProvider: 'cpu' } : {}", Main, StringComparison.Ordinal);
        Assert.Contains("neuralArtSettings: appNeuralArtSettings", module, StringComparison.Ordinal);
        Assert.Matches(@"param chunkExecutor string = 'queued'", Main);
        Assert.Contains($"'{ChunkExecutors.InProcess}'", Main, StringComparison.Ordinal);
    }

    [Fact]
    public void The_template_creates_the_queues_the_code_reads()
    {
        Assert.Equal(ChunkQueueOptions.DefaultChunksQueue, Regex.Match(Main, @"^var chunksQueueName = '([^']+)'", RegexOptions.Multiline).Groups[1].Value);
        Assert.Equal(ChunkQueueOptions.DefaultResultsQueue, Regex.Match(Main, @"^var chunkResultsQueueName = '([^']+)'", RegexOptions.Multiline).Groups[1].Value);
        Assert.Contains("'${chunksQueueName}" + ChunkQueueOptions.PoisonSuffix + "'", Main, StringComparison.Ordinal);
        Assert.Contains("'${chunkResultsQueueName}" + ChunkQueueOptions.PoisonSuffix + "'", Main, StringComparison.Ordinal);
        Assert.Contains("queueNames: concat(inboxQueueNames, chunkQueueNames)", Main, StringComparison.Ordinal);
        // No identity may create queues, so neither the app nor the workers try.
        Assert.Contains("NeuralArt__Chunks__CreateQueues: false", Main, StringComparison.Ordinal);
    }

    private static string ModuleCall(string symbol)
    {
        var match = Regex.Match(Main, $@"^module {symbol} [\s\S]*?^}}", RegexOptions.Multiline);
        Assert.True(match.Success, $"infra/main.bicep has no module '{symbol}'.");
        return match.Value;
    }
}
