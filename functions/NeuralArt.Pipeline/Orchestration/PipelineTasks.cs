using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Sweeps;

namespace NeuralArt.Pipeline.Orchestration;

/// <summary>
/// The orchestration and activities by name, in one place for every host: the in-process test host
/// and any <see cref="DurableTaskRegistry"/> use <see cref="Register"/>, the local host's framework
/// shims use <see cref="Activities"/>; the Functions app names the same constants in its attributes.
/// </summary>
public static class PipelineTasks
{
    public static DurableTaskRegistry Register(DurableTaskRegistry registry)
    {
        registry.AddOrchestrator(ArtworkOrchestration.Name, () => new ArtworkOrchestration());
        registry.AddOrchestrator(SweepOrchestration.Name, () => new SweepOrchestration());
        foreach (var (name, type) in ActivityTypes)
        {
            registry.AddActivity(name, sp => (ITaskActivity)sp.GetRequiredService(type));
        }

        return registry;
    }

    /// <summary>The activity instances from DI, by name (the activities are stateless singletons).</summary>
    public static IEnumerable<(string Name, ITaskActivity Activity)> Activities(IServiceProvider services) =>
        ActivityTypes.Select(a => (a.Name, (ITaskActivity)services.GetRequiredService(a.Type)));

    private static readonly (string Name, Type Type)[] ActivityTypes =
    [
        (ActivityNames.Prepare, typeof(PrepareArtworkActivity)),
        (ActivityNames.RunChunk, typeof(RunChunkActivity)),
        (ActivityNames.Finalize, typeof(FinalizeArtworkActivity)),
        (ActivityNames.RecordFailure, typeof(RecordFailureActivity)),
        (ActivityNames.Admit, typeof(AdmitJobActivity)),
        (ActivityNames.DispatchChunk, typeof(DispatchChunkActivity)),
        (SweepSheetActivity.Name, typeof(SweepSheetActivity)),
    ];
}
