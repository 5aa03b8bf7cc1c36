using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Style;

/// <summary>
/// The backbone, taps, smoothing and loss weights of a style job, and the compiled graphs it runs:
/// the targets graph (Grams and content features of an image), the objective graph (loss and
/// gradient of a whole image) and, for large images, the two tiled passes. The model leases each
/// session it hands out from the pool until its last holder disposes it: whoever resolved it, and
/// each objective built on it (<see cref="Retain"/>), so sessions outlive neither.
/// </summary>
internal sealed class StyleModel : IDisposable
{
    private readonly IGraphSource _graphs;
    private readonly OnnxSessionPool _sessions;
    // By graph path; guarded by itself (tiles may ask from several threads).
    private readonly Dictionary<string, OnnxSessionLease> _leases = new(StringComparer.Ordinal);
    // Who still uses the model's sessions: the resolver, plus each objective that retained it.
    private int _holders = 1;

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

    /// <summary>The smoothing in the compiled graphs (null when it applied only to dropped taps).</summary>
    public StyleSmoothing? Smoothing { get; }

    /// <summary>Styles by region (masks given): the objective graphs take guided Grams.</summary>
    public bool Masked { get; private init; }

    /// <summary>The smoothing the settings ask for.</summary>
    public StyleSmoothing? RequestedSmoothing { get; private init; }

    /// <summary>Style taps left out because smoothing scales their term below float precision (<see cref="DropNegligibleTaps"/>).</summary>
    public IReadOnlyList<string> DroppedStyleTaps { get; private init; } = [];

    /// <summary>A style term scaled by at most this (relative to its unsmoothed value) cannot move a float32 loss.</summary>
    public const double NegligibleStyleScale = 1e-10;

    public IReadOnlyList<string> StyleTapNames => StyleTaps.Select(t => t.Tap).ToList();

    public IReadOnlyList<string> ContentTapNames => ContentTaps.Select(t => t.Tap).ToList();

    /// <summary>The loss weight of each style tap: the style weight times the tap's own weight.</summary>
    public float StyleWeight(TapWeight tap) => (float)(Settings.StyleWeight * tap.Weight);

    public float ContentWeight(TapWeight tap) => (float)(Settings.ContentWeight * tap.Weight);

    public float TvWeight => (float)Settings.TvWeight;

    /// <summary>Resolves the model and taps, with errors naming the settings field at fault.</summary>
    public static StyleModel Resolve(IGraphSource graphs, OnnxSessionPool sessions, StyleSettings settings, bool masked = false)
    {
        var manifest = graphs.ResolveModel(settings.Model ?? EngineOptions.DefaultModel);
        var styleTaps = settings.StyleTaps(manifest.Recommended.Style);
        var contentTaps = settings.ContentTaps(manifest.Recommended.Content);
        if (styleTaps.Count == 0) throw new InvalidArtworkInputException($"Model '{manifest.Name}' recommends no style layers; give styleLayers.", "styleLayers");
        Check(manifest, styleTaps, "styleLayers");
        Check(manifest, contentTaps, "contentLayers");
        var smoothing = settings.ResolveSmoothing(manifest.Residual);
        if (smoothing?.Taps is { } smoothed)
        {
            var unknown = smoothed.FirstOrDefault(t => styleTaps.All(s => s.Tap != t));
            if (unknown is not null && settings.SmoothingLayers is not null)
            {
                throw new InvalidArtworkInputException(
                    $"Smoothing layer '{unknown}' is not a style layer (style layers: {string.Join(", ", styleTaps.Select(t => t.Tap))}).", "smoothingLayers");
            }
            // The default smoothing layers apply to those that are style layers here.
            var applied = smoothed.Where(t => styleTaps.Any(s => s.Tap == t)).ToList();
            smoothing = applied.Count == 0 ? null : smoothing with { Taps = applied };
        }
        var (kept, dropped) = DropNegligibleTaps(styleTaps, smoothing);
        if (kept.Count == 0)
        {
            throw new InvalidArtworkInputException(
                "Every style layer is smoothed away (scale smoothing multiplies a layer's style term by factor^4); smooth fewer layers or use a larger factor.", "smoothingLayers");
        }
        // Keep the smoothing in the graphs only where it still applies (one compiled variant less otherwise).
        var effective = smoothing is not null && kept.Any(t => smoothing.AppliesTo(t.Tap)) ? smoothing : null;
        return new StyleModel(graphs, sessions, manifest, settings, kept, contentTaps, effective) { DroppedStyleTaps = dropped, RequestedSmoothing = smoothing, Masked = masked };
    }

    /// <summary>
    /// Scale smoothing multiplies a tap's features by k, its Gram by k^2 and its style term by k^4:
    /// at the default k = 1e-3 that is 1e-12, far below float32's resolution of the other terms, so
    /// the tap changes neither the loss nor the gradient. Such taps are left out of the compiled
    /// graphs, which then need not run the deepest layers at all (layer4 is about a third of ResNet-18's
    /// gradient time). Same result to float precision, less work.
    /// </summary>
    internal static (IReadOnlyList<TapWeight> Kept, IReadOnlyList<string> Dropped) DropNegligibleTaps(IReadOnlyList<TapWeight> taps, StyleSmoothing? smoothing)
    {
        if (smoothing is not { Mode: StyleSmoothingMode.Scale }) return (taps, []);
        var scale = Math.Pow(smoothing.Factor, 4);
        if (scale > NegligibleStyleScale) return (taps, []);
        var kept = taps.Where(t => !smoothing.AppliesTo(t.Tap)).ToList();
        var dropped = taps.Where(t => smoothing.AppliesTo(t.Tap)).Select(t => t.Tap).ToList();
        return (kept, dropped);
    }

    public OnnxSession TargetsSession() => Session(new StyleTargetsObjective(StyleTapNames, ContentTapNames, Smoothing));

    public OnnxSession ObjectiveSession() => Session(new StyleObjective(StyleTapNames, ContentTapNames, Smoothing, Masked));

    /// <summary>Tiled pass 1 with plain Grams (targets of large style and content images).</summary>
    public OnnxSession TileTargetsSession() => Session(new StyleTileTargetsObjective(StyleTapNames, ContentTapNames, Smoothing));

    /// <summary>Tiled pass 1 of the optimized image: guided Grams when <see cref="Masked"/>.</summary>
    public OnnxSession TileGramsSession() => Masked ? TileMaskedGramsSession() : TileTargetsSession();

    /// <summary>Tiled pass 1 with guided Grams, whether or not the job has region masks (the targets of masked style images).</summary>
    public OnnxSession TileMaskedGramsSession() => Session(new StyleTileTargetsObjective(StyleTapNames, ContentTapNames, Smoothing, Masked: true));

    public OnnxSession TileObjectiveSession() => Session(new StyleTileObjective(StyleTapNames, ContentTapNames, Smoothing, Masked));

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
        lock (_leases)
        {
            if (!_leases.TryGetValue(graph.Path, out var lease)) _leases[graph.Path] = lease = _sessions.Rent(graph.Path);
            return lease.Session;
        }
    }

    /// <summary>Adds a holder (an objective built on the model); it must dispose the model once when done.</summary>
    public StyleModel Retain()
    {
        Interlocked.Increment(ref _holders);
        return this;
    }

    /// <summary>Drops a holder; the last one ends the leases of the sessions this model handed out.</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref _holders) != 0) return;
        lock (_leases)
        {
            foreach (var lease in _leases.Values) lease.Dispose();
            _leases.Clear();
        }
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
