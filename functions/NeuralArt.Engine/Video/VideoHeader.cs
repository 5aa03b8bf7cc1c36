namespace NeuralArt.Engine.Video;

/// <summary>What ffprobe reads from a clip's container header: its size, frames, length, rate, codec and whether it has sound.</summary>
internal sealed record VideoHeader(int Width, int Height, int Frames, double Seconds, double FramesPerSecond, string Codec, bool HasAudio);
