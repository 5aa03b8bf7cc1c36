using System.Text.Json.Nodes;
using NeuralArt.Contract;

namespace NeuralArt.Engine.Video;

/// <summary>
/// The video engines' own parameters (the one home of their names, defaults and ranges), put in
/// front of the still engine's parameters each frame is made with. The still's parameters a video
/// sets itself per frame (its iterations, scales, start image) are left out of the video's table.
/// </summary>
public static class VideoSchema
{
    public const string Coherence = "coherence";
    public const string TemporalWeight = "temporalWeight";
    public const string FirstFrameIterations = "firstFrameIterations";
    public const string Iterations = "iterations";
    public const string Fps = "fps";
    public const string MaxSize = "maxSize";

    public const double MaxFps = 60;
    public const int MinSize = 32;
    public const int DefaultMaxSize = 256;
    public const double MaxTemporalWeight = 1e12;

    /// <summary>The names above: what <see cref="VideoSettings"/> reads; everything else goes to the still engine.</summary>
    internal static readonly string[] Names = [Coherence, TemporalWeight, FirstFrameIterations, Iterations, Fps, MaxSize];

    /// <param name="still">The still engine's parameters, less the ones the video sets per frame.</param>
    /// <param name="defaults">The engine's defaults for iterations and the temporal weight.</param>
    public static IReadOnlyList<ParameterDescriptor> Describe(IEnumerable<ParameterDescriptor> still, EngineLimits limits, VideoDefaults defaults)
    {
        var maxSize = (int)Math.Floor(Math.Sqrt(limits.MaxWorkingPixels));
        var maxIterations = Math.Max(1, limits.MaxIterations);
        return
        [
            new() { Name = Coherence, Type = ParameterTypes.Choice, Choices = CoherenceModes.All, Default = CoherenceModes.Flow,
                Help = "flow: each frame starts from the previous result moved by the optical flow and keeps close to it where the flow is reliable (no flicker); init: the moved start only; none: every frame on its own." },
            new() { Name = TemporalWeight, Type = ParameterTypes.Number, Minimum = 0, Maximum = MaxTemporalWeight, Default = defaults.TemporalWeight,
                Help = "How strongly a frame keeps to the previous result moved onto it (coherence: flow)." },
            new() { Name = FirstFrameIterations, Type = ParameterTypes.Integer, Minimum = 1, Maximum = Math.Min(defaults.MaxIterations, maxIterations),
                Default = Math.Min(defaults.FirstFrameIterations, maxIterations), Help = $"Iterations of the first frame{PerOctave(defaults)}." },
            new() { Name = Iterations, Type = ParameterTypes.Integer, Minimum = 1, Maximum = Math.Min(defaults.MaxIterations, maxIterations),
                Default = Math.Min(defaults.Iterations, maxIterations), Help = $"Iterations of every later frame{PerOctave(defaults)} (it starts from the previous one, so it needs fewer)." },
            new() { Name = Fps, Type = ParameterTypes.Number, Minimum = 0, ExclusiveMinimum = true, Maximum = MaxFps,
                Help = "Frames per second to make, at most the clip's (frames are sampled); left out, every frame of the clip." },
            new() { Name = MaxSize, Type = ParameterTypes.Integer, Minimum = MinSize, Maximum = maxSize, Default = Math.Min(DefaultMaxSize, maxSize),
                Help = "Long side of the frames in pixels (the clip is scaled down to it, never up)." },
            .. still,
        ];
    }

    private static string PerOctave(VideoDefaults defaults) => defaults.PerOctave ? ", per octave" : "";
}
