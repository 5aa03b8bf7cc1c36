using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Style;
using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Video;

/// <summary>
/// Style transfer of a video clip without flicker (Ruder, Dosovitskiy and Brox, 2016). Each frame is
/// <see cref="NeuralStyleEngine"/>'s own transfer (same compiled graphs, same optimizer code, one
/// scale at the working size); from the second frame on it starts from the previous result warped
/// by the optical flow between the two source frames, and, with <c>coherence: flow</c>, adds the
/// temporal loss <see cref="TemporalTerm"/> wherever the consistency mask trusts the flow.
/// </summary>
public sealed class VideoStyleEngine : VideoEngineBase
{
    /// <summary>
    /// Defaults for CPU work at 256 px: a later frame starts from the previous result, so it takes
    /// 40% of the first frame's iterations. The temporal weight was set once on the 80x60 pan test
    /// (temporal error a fifth of coherence none's, every frame's style loss below none's) and kept at
    /// 256 px (docs/video.md, "Flicker, measured"); it is not tuned further.
    /// </summary>
    public static readonly VideoDefaults StyleDefaults = new(FirstFrameIterations: 100, Iterations: 40, MaxIterations: StyleSettings.MaxIterations, TemporalWeight: 2e3, PerOctave: false);

    private readonly NeuralStyleEngine _style;

    public VideoStyleEngine(IGraphSource graphs, OnnxSessionPool sessions, ImageLoader loader, ILogger<VideoStyleEngine>? logger = null, EngineOptions? options = null)
        : base(graphs, sessions, loader, logger, options)
    {
        _style = new NeuralStyleEngine(graphs, sessions, loader, options: Options);
    }

    public override string Kind => ArtworkKinds.VideoStyle;

    private protected override ArtworkEngineBase Still => _style;

    private protected override IReadOnlyList<string> PerFrame { get; } = [StyleSchema.Iterations, StyleSchema.Scales, "init"];

    private protected override IReadOnlyList<string> DroppedRoles { get; } = [NeuralStyleEngine.InitRole];

    private protected override VideoDefaults Defaults => StyleDefaults;

    private protected override (string Title, string Description) Text => ("Video style transfer",
        "Paints every frame of a video clip in the style of one or more artworks without flicker: each frame starts from the previous result moved by the optical flow and keeps close to it (Ruder, Dosovitskiy and Brox, 2016).");

    private protected override JsonObject FrameParameters(VideoSettings settings, int iterations, VideoPlanning.Clip clip)
    {
        var json = (JsonObject)settings.Still.DeepClone();
        json[StyleSchema.Iterations] = iterations;
        json[StyleSchema.Scales] = new JsonArray(Math.Max(clip.Width, clip.Height));
        json["init"] = StyleInitModes.Content;
        return json;
    }

    private StyleSettings FrameSettings(string json)
    {
        var settings = StyleSettings.FromJson(json);
        return settings with { Model = settings.Model ?? Options.Model };
    }

    private protected override byte[] StartFrame(ArtworkInputs inputs, string frameParameters, CancellationToken cancellationToken) =>
        _style.NewState(inputs, FrameSettings(frameParameters), warped: null, cancellationToken).Serialize();

    private protected override byte[] AdvanceFrame(VideoState video, VideoSettings settings, int budget, Action<FrameStatus>? stepped, CancellationToken cancellationToken)
    {
        var style = StyleState.Deserialize(video.Inner);
        var temporal = settings.Coherence == CoherenceModes.Flow && video.Warped is not null && video.Mask is not null
            ? TemporalTerm.ForCanvas(video.Warped, video.Mask, style.Margin, settings.TemporalWeight)
            : null;
        _style.Advance(style, budget, temporal, stepped is null ? null : () => stepped(Status(style)), cancellationToken);
        return style.Serialize();
    }

    private static FrameStatus Status(StyleState style) => new(style.Iteration, style.IsComplete, style.LastLoss, style.LastStyleLoss);

    private protected override FrameStatus Status(byte[] inner) => Status(StyleState.Deserialize(inner));

    private protected override Image<Rgb24> Render(byte[] inner) => NeuralStyleEngine.Render(StyleState.Deserialize(inner));

    private protected override byte[] NextFrame(VideoState video, VideoSettings settings, ImageTensor finished, string frameParameters)
    {
        var next = video.Frame + 1;
        ImageTensor? warped = null;
        float[]? mask = null;
        if (settings.Warps) (warped, mask) = VideoMotion.Carry(finished, video.Source(video.Frame), video.Source(next));
        (video.Warped, video.Mask) = (warped, mask);
        var previous = StyleState.Deserialize(video.Inner);
        return NeuralStyleEngine.NextFrame(previous, new StoredImage(video.Width, video.Height, video.Sources[next]), FrameSettings(frameParameters), warped).Serialize();
    }
}
