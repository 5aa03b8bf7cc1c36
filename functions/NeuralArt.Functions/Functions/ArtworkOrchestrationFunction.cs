using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Orchestration;

namespace NeuralArt.Functions.Functions;

/// <summary>The orchestrator trigger: runs the Pipeline's <see cref="ArtworkOrchestration"/> (no source generator here).</summary>
public static class ArtworkOrchestrationFunction
{
    [Function(ArtworkOrchestration.Name)]
    public static Task<JobOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ArtworkOrchestration().RunAsync(context, context.GetInput<JobRequest>()
            ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} has no job request."));
}
