namespace NeuralArt.Engine.Video;

/// <summary>An engine's defaults for the video parameters.</summary>
/// <param name="PerOctave">The iterations are per octave (DeepDream), not per frame.</param>
public sealed record VideoDefaults(int FirstFrameIterations, int Iterations, int MaxIterations, double TemporalWeight, bool PerOctave);
