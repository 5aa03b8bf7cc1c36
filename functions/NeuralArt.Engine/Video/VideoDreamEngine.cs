using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Video;

/// <summary>
/// DeepDream of a video clip (as DeepDreamVideo and DeepDreamAnim do it): each frame is
/// <see cref="DeepDreamEngine"/>'s own dream; from the second frame on, the previous frame's dreamed
/// difference (its result less its source frame) is warped by the optical flow onto the next source
/// frame before that is dreamed, so the dream's shapes move with the picture instead of growing
/// anew each frame. With <c>coherence: flow</c> the difference is carried only where the consistency
/// mask trusts the flow (no ghosts where something was uncovered); with <c>init</c>, everywhere.
/// </summary>
public sealed class VideoDreamEngine : VideoEngineBase
{
    /// <summary>Iterations here are per octave, as in the still dream; the temporal weight is not used.</summary>
    public static readonly VideoDefaults DreamDefaults = new(FirstFrameIterations: 10, Iterations: 5, MaxIterations: DreamSettings.MaxIterations, TemporalWeight: 0, PerOctave: true);

    private readonly DeepDreamEngine _dream;

    public VideoDreamEngine(IGraphSource graphs, OnnxSessionPool sessions, ImageLoader loader, ILogger<VideoDreamEngine>? logger = null, EngineOptions? options = null)
        : base(graphs, sessions, loader, logger, options)
    {
        _dream = new DeepDreamEngine(graphs, sessions, loader, options: Options);
    }

    public override string Kind => ArtworkKinds.VideoDream;

    private protected override ArtworkEngineBase Still => _dream;

    private protected override IReadOnlyList<string> PerFrame { get; } = [DreamSchema.Iterations, DreamSchema.MaxSize];

    private protected override IReadOnlyList<string> DroppedRoles { get; } = [DeepDreamEngine.GuideRole];

    private protected override VideoDefaults Defaults => DreamDefaults;

    private protected override (string Title, string Description) Text => ("Video DeepDream",
        "Dreams on every frame of a video clip; each frame's dream is carried onto the next by the optical flow, so the dream moves with the picture.");

    private protected override JsonObject FrameParameters(VideoSettings settings, int iterations, VideoPlanning.Clip clip)
    {
        var json = (JsonObject)settings.Still.DeepClone();
        json[DreamSchema.Iterations] = iterations;
        json[DreamSchema.MaxSize] = Math.Max(clip.Width, clip.Height);
        return json;
    }

    private protected override int FrameSteps(VideoSettings settings, int iterations) =>
        iterations * (settings.Still[DreamSchema.Octaves]?.GetValue<int>() ?? DreamSettings.DefaultOctaves);

    private DreamSettings FrameSettings(string json)
    {
        var settings = DreamSettings.FromJson(json);
        return settings with { Model = settings.Model ?? Options.Model };
    }

    private protected override byte[] StartFrame(ArtworkInputs inputs, string frameParameters, CancellationToken cancellationToken)
    {
        var settings = FrameSettings(frameParameters);
        var (manifest, parameters) = _dream.Resolve(settings);
        _dream.PrepareGraphs(manifest, parameters, guided: false);
        using var photo = _dream.LoadSource(inputs.Source, settings.MaxSize);
        return DeepDreamEngine.NewState(photo, settings).Serialize();
    }

    private protected override byte[] AdvanceFrame(VideoState video, VideoSettings settings, int budget, Action<FrameStatus>? stepped, CancellationToken cancellationToken)
    {
        var dream = DreamState.Deserialize(video.Inner);
        // Octave after octave, until the budget or the frame runs out.
        while (budget > 0 && !dream.IsComplete)
        {
            var before = dream.CompletedIterations;
            _dream.Advance(dream, budget, s => stepped?.Invoke(Status(s)), cancellationToken);
            budget -= dream.CompletedIterations - before;
        }
        return dream.Serialize();
    }

    private static FrameStatus Status(DreamState dream) => new(dream.CompletedIterations, dream.IsComplete, dream.LastLoss, dream.LastLoss);

    private protected override FrameStatus Status(byte[] inner) => Status(DreamState.Deserialize(inner));

    private protected override Image<Rgb24> Render(byte[] inner) => DreamState.Deserialize(inner).Image.ToImage();

    private protected override byte[] NextFrame(VideoState video, VideoSettings settings, ImageTensor finished, string frameParameters)
    {
        var next = video.Frame + 1;
        var source = video.Source(video.Frame);
        var start = video.Source(next);
        if (settings.Warps)
        {
            var difference = TensorOps.Subtract(finished, source);
            var (warped, mask) = VideoMotion.Carry(difference, source, start);
            var plane = start.PlaneSize;
            for (var i = 0; i < start.Data.Length; i++)
            {
                var weight = settings.Coherence == CoherenceModes.Flow ? mask[i % plane] : 1f;
                start.Data[i] += weight * warped.Data[i];
            }
            TensorOps.Clamp(start, 0f, 1f);
        }
        using var image = start.ToImage();
        return DeepDreamEngine.NewState(image, FrameSettings(frameParameters)).Serialize();
    }
}
