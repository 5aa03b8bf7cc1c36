using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Dream;

/// <summary>
/// The plan of one dream at its working size (<see cref="DeepDreamEngine.PlanStill"/>): a still
/// job's whole plan, or one frame of a sequence (whose engine multiplies it by its frames).
/// </summary>
internal sealed record DreamStillPlan(
    BackboneManifest Manifest,
    IReadOnlyList<TapWeight> Taps,
    int Width,
    int Height,
    IReadOnlyList<(int Height, int Width)> OctaveSizes,
    long Iterations,
    long PixelIterations,
    long MultiplyAdds,
    long CheckpointBytes,
    long PeakMemoryBytes);
