namespace NeuralArt.Contract;

/// <summary>
/// Where a render stands: phase (octave or scale) <c>Phase</c> of <c>PhaseCount</c> (1-based),
/// iterations done in the phase and overall, and the objective's latest value.
/// </summary>
public sealed record EngineProgress(
    int Phase,
    int PhaseCount,
    int PhaseIteration,
    int PhaseIterations,
    int CompletedIterations,
    int TotalIterations,
    double Loss,
    bool IsComplete,
    int Width,
    int Height)
{
    public double Fraction => TotalIterations == 0 ? 1 : (double)CompletedIterations / TotalIterations;
}
