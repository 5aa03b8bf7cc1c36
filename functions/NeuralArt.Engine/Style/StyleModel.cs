using NeuralArt.Engine.Jobs;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Style;

/// <summary>
/// The backbone, taps, smoothing and loss weights of a style job, and the compiled graphs it runs:
/// the targets graph (Grams and content features of an image), the objective graph (loss and
/// gradient of a whole image) and, for large images, the two tiled passes.
/// </summary>
internal sealed class StyleModel
{
    private readonly IGraphSource _graphs;
    private readonly OnnxSessionPool _sessions;

    private StyleModel(IGraphSource graphs, OnnxSessionPool sessions, BackboneManifest manifest, StyleSettings settings,
        IReadOnlyList<TapWeight> styleTaps, IReadOnlyList<TapWeight> contentTaps, StyleSmoothing? smoothing)
    {
        _graphs = graphs;
        _sessions = sessions;
        Manifest = manifest;
        Settings = settings;
        StyleTaps = styleTaps;
        ContentTaps = contentTaps;
        Smoothing = smoothing;
    }

    public BackboneManifest Manifest { get; }

    public StyleSettings Settings { get; }

    public IReadOnlyList<TapWeight> StyleTaps { get; }

    public IReadOnlyList<TapWeight> ContentTaps { get; }

    public StyleSmoothing? Smoothing { get; }

    public IReadOnlyList<string> StyleTapNames => StyleTaps.Select(t => t.Tap).ToList();

    public IReadOnlyList<string> ContentTapNames => ContentTaps.Select(t => t.Tap).ToList();

    /// <summary>The loss weight of each style tap: the style weight times the tap's own weight.</summary>
    public float StyleWeight(TapWeight tap) => (float)(Settings.StyleWeight * tap.Weight);

    public float ContentWeight(TapWeight tap) => (float)(Settings.ContentWeight * tap.Weight);

    public float TvWeight => (float)Settings.TvWeight;

    /// <summary>Resolves the model and taps, with errors naming the settings field at fault.</summary>
    public static StyleModel Resolve(IGraphSource graphs, OnnxSessionPool sessions, StyleSettings settings)
    {
        BackboneManifest manifest;
        try
        {
            manifest = graphs.GetManifest(settings.Model);
        }
        catch (GraphCompilationException ex)
        {
            throw new InvalidArtworkInputException(ex.Message, "model", ex);
        }
        var styleTaps = settings.StyleTaps(manifest.Recommended.Style);
        var contentTaps = settings.ContentTaps(manifest.Recommended.Content);
        if (styleTaps.Count == 0) throw new InvalidArtworkInputException($"Model '{manifest.Name}' recommends no style layers; give styleLayers.", "styleLayers");
        Check(manifest, styleTaps, "styleLayers");
        Check(manifest, contentTaps, "contentLayers");
        var smoothing = settings.ResolveSmoothing(manifest.Residual);
        if (smoothing?.Taps is { } smoothed)
        {
            var unknown = smoothed.FirstOrDefault(t => styleTaps.All(s => s.Tap != t));
            if (unknown is not null)
            {
                throw new InvalidArtworkInputException(
                    $"Smoothing layer '{unknown}' is not a style layer (style layers: {string.Join(", ", styleTaps.Select(t => t.Tap))}).", "smoothingLayers");
            }
        }
        return new StyleModel(graphs, sessions, manifest, settings, styleTaps, contentTaps, smoothing);
    }

    public OnnxSession TargetsSession() => Session(new StyleTargetsObjective(StyleTapNames, ContentTapNames, Smoothing));

    public OnnxSession ObjectiveSession() => Session(new StyleObjective(StyleTapNames, ContentTapNames, Smoothing));

    public OnnxSession TileTargetsSession() => Session(new StyleTileTargetsObjective(StyleTapNames, ContentTapNames, Smoothing));

    public OnnxSession TileObjectiveSession() => Session(new StyleTileObjective(StyleTapNames, ContentTapNames, Smoothing));

    /// <summary>The forward graph of the taps' features, which tile planning reads the geometry from.</summary>
    public CompiledGraph FeaturesGraph() => _graphs.GetGraph(Manifest, new FeaturesObjective(StyleTapNames.Concat(ContentTapNames).Distinct().ToList()));

    private OnnxSession Session(Objective objective)
    {
        CompiledGraph graph;
        try
        {
            graph = _graphs.GetGraph(Manifest, objective);
        }
        catch (GraphCompilationException ex)
        {
            throw new InvalidArtworkInputException(ex.Message, "styleLayers", ex);
        }
        return _sessions.Get(graph.Path);
    }

    private static void Check(BackboneManifest manifest, IReadOnlyList<TapWeight> taps, string field)
    {
        foreach (var tap in taps)
        {
            if (!manifest.Taps.ContainsKey(tap.Tap))
            {
                throw new InvalidArtworkInputException(
                    $"Model '{manifest.Name}' has no layer '{tap.Tap}'. Known layers: {string.Join(", ", manifest.Taps.Keys)}.", field);
            }
        }
    }
}
