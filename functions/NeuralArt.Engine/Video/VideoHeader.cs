namespace NeuralArt.Engine.Video;

/// <summary>What ffprobe reads from a clip's container header: its size, frames, length, rate, codec and whether it has sound.</summary>
internal sealed record VideoHeader(int Width, int Height, int Frames, double Seconds, double FramesPerSecond, string Codec, bool HasAudio)
{
    /// <summary>How many frames sampling at <paramref name="fps"/> gives (every frame at the source's rate or above).</summary>
    public int SampledFrames(double? fps) =>
        fps is not { } rate || rate >= FramesPerSecond ? Frames : Math.Max(1, Math.Min(Frames, (int)Math.Floor(Seconds * rate + SampleRounding)));

    /// <summary>The output's rate: the one asked for, else the source's.</summary>
    public double OutputRate(double? fps) => fps is { } rate && rate < FramesPerSecond ? rate : FramesPerSecond;

    /// <summary>Tolerance of a clip's length when counting sampled frames (a 3.0 s clip at 10 fps is 30 frames, not 31 from 3.0000001 s).</summary>
    private const double SampleRounding = 1e-6;
}
