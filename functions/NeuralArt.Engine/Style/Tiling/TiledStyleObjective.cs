using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Style.Tiling;

/// <summary>
/// Targets of large images, tile by tile: each tile's partial Gram <c>F_c F_c^T</c> of the feature
/// positions it owns, summed and normalized by the whole image's <c>C N</c> (exact: the tiles
/// partition the positions), and the content features assembled from the tiles' owned boxes.
/// </summary>
internal sealed class TiledTargetSource(StyleModel model, int tileSize) : IStyleTargetSource
{
    private readonly FeatureGeometry _geometry = FeatureGeometry.Load(model.FeaturesGraph().Path);

    public IReadOnlyDictionary<string, float[]> Grams(ImageTensor image, CancellationToken cancellationToken)
    {
        var plan = Plan(image.Height, image.Width);
        var sums = TiledStyleObjective.PartialGramSums(model.TileTargetsSession(), model.StyleTapNames, plan, image.Data, _ => NoInputs, cancellationToken);
        return sums.ToDictionary(kv => kv.Key, kv => TiledStyleObjective.Normalize(kv.Value, plan.FeatureSizes[kv.Key]), StringComparer.Ordinal);
    }

    /// <summary>
    /// The Gram per style tap of the part of <paramref name="image"/> that <paramref name="mask"/>
    /// (a plane of the image's size, in [0,1]) marks: <c>F diag(s) F^T / (C sum s)</c>, s the mask
    /// box-resized to the tap as region masks are (<see cref="StyleRegions.AreaResize"/>); for a
    /// mask of ones, the plain Gram. The sums come from the guided partial-Gram graph with one region.
    /// </summary>
    public IReadOnlyDictionary<string, float[]> MaskedGrams(ImageTensor image, float[] mask, CancellationToken cancellationToken)
    {
        var plan = Plan(image.Height, image.Width);
        var sizes = model.StyleTapNames.ToDictionary(t => t, t => plan.FeatureSizes[t], StringComparer.Ordinal);
        var masks = StyleRegions.ResizeMasks([mask], image.Height, image.Width, sizes);
        var tileMasks = plan.Tiles.Select(tile => TiledStyleObjective.TileMasks(tile, _geometry, masks, sizes, 1)).ToList();
        var sums = TiledStyleObjective.PartialGramSums(model.TileMaskedGramsSession(), model.StyleTapNames, plan, image.Data, t => tileMasks[t], cancellationToken);
        return sums.ToDictionary(kv => kv.Key, kv => TiledStyleObjective.Normalize(kv.Value, StyleRegions.MaskWeights(masks[kv.Key], 1)[0]), StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, FeatureMap> ContentFeatures(ImageTensor image, CancellationToken cancellationToken)
    {
        var plan = Plan(image.Height, image.Width);
        var session = model.TileTargetsSession();
        var outputs = model.ContentTapNames.Select(StyleTileNames.CropFeatures).ToList();
        var maps = new Dictionary<string, FeatureMap>(StringComparer.Ordinal);
        foreach (var tile in plan.Tiles)
        {
            var result = TileRunner.Run(session, image.Data, image.Height, image.Width, tile, new Dictionary<string, (float[], long[])>(), outputs, cancellationToken);
            foreach (var tap in model.ContentTapNames)
            {
                var (data, shape) = result[StyleTileNames.CropFeatures(tap)];
                var (fh, fw) = plan.FeatureSizes[tap];
                var channels = (int)shape[1];
                if (!maps.TryGetValue(tap, out var map))
                {
                    map = new FeatureMap(StyleGraphNames.ContentTarget(tap), new float[channels * fh * fw], [1, channels, fh, fw]);
                    maps[tap] = map;
                }
                var (top, left) = tile.GlobalOrigin(tap, _geometry);
                TileRunner.Paste(data, (int)shape[2], (int)shape[3], map.Data, channels, fh, fw, top, left);
            }
        }
        return maps;
    }

    private static readonly Dictionary<string, (float[], long[])> NoInputs = new(StringComparer.Ordinal);

    private StyleTilePlan Plan(int height, int width) =>
        StyleTilePlan.Create(height, width, tileSize, _geometry, model.StyleTapNames.Concat(model.ContentTapNames).Distinct().ToList());
}

/// <summary>
/// The style objective of a large image, computed exactly tile by tile in two passes (the Gram is
/// global): pass 1 sums the tiles' partial Grams into the whole image's Gram <c>G</c>; pass 2 runs
/// each tile's gradient graph against the global residual <c>G - T</c> (and its share of the content
/// target) and adds the tiles' gradients, halos included. Total variation is computed here, on the
/// whole image. Memory is bounded by the tile size, not the image size.
/// </summary>
internal sealed class TiledStyleObjective : IStyleObjective
{
    // Retained: the model's leases keep the tile sessions alive while this objective exists.
    private readonly StyleModel _model;
    private int _disposed;
    private readonly StyleTargets _targets;
    private readonly StyleTilePlan _plan;
    private readonly FeatureGeometry _geometry;
    private readonly OnnxSession _objective;
    // Per tile, the content target's owned box (fixed for the scale).
    private readonly List<Dictionary<string, (float[] Data, long[] Shape)>> _tileContent = [];
    // Per tile, with masks: the masks' owned box at each style tap ([K,1,bh,bw]).
    private readonly List<Dictionary<string, (float[] Data, long[] Shape)>> _tileMasks = [];

    public TiledStyleObjective(StyleModel model, StyleTargets targets, int height, int width, int tileSize)
    {
        _model = model;
        _targets = targets;
        Height = height;
        Width = width;
        _geometry = FeatureGeometry.Load(model.FeaturesGraph().Path);
        _plan = StyleTilePlan.Create(height, width, tileSize, _geometry, model.StyleTapNames.Concat(model.ContentTapNames).Distinct().ToList());
        _objective = model.TileObjectiveSession();
        foreach (var tile in _plan.Tiles)
        {
            var content = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
            foreach (var tap in model.ContentTapNames)
            {
                var box = tile.Crops[tap];
                var (bh, bw) = ((int)(box[2] - box[0]), (int)(box[3] - box[1]));
                var (top, left) = tile.GlobalOrigin(tap, _geometry);
                var map = targets.Content[tap];
                content[StyleGraphNames.ContentTarget(tap)] = (TileRunner.CropFeatures(map, top, left, bh, bw), [1, map.Shape[1], bh, bw]);
            }
            _tileContent.Add(content);
            _tileMasks.Add(targets.Regions is { } regions ? TileMasks(tile, _geometry, regions.Masks, regions.MaskSizes, regions.Count) : []);
        }
        model.Retain();
    }

    public int Height { get; }

    public int Width { get; }

    /// <summary>Tiles per evaluation (for logs and tests).</summary>
    public int TileCount => _plan.Tiles.Count;

    public double Evaluate(ReadOnlySpan<float> image, Span<float> gradient, CancellationToken cancellationToken) =>
        Run(image, gradient, cancellationToken).Total;

    /// <summary>The parts only: pass 2 still runs (it gives the content term) but its gradients are dropped.</summary>
    public StyleLossParts Measure(ReadOnlySpan<float> image, CancellationToken cancellationToken) =>
        Run(image, Span<float>.Empty, cancellationToken);

    private StyleLossParts Run(ReadOnlySpan<float> image, Span<float> gradient, CancellationToken cancellationToken)
    {
        // Pass 1: the whole image's Grams, and the residuals and gradient scales they give.
        var regions = _targets.Regions;
        var sums = PartialGramSums(_model.TileGramsSession(), _model.StyleTapNames, _plan, image, t => _tileMasks[t], cancellationToken);
        var shared = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
        double style = 0;
        foreach (var tap in _model.StyleTaps)
        {
            if (regions is not null)
            {
                style += RegionResiduals(tap, regions, sums[tap.Tap], shared);
                continue;
            }
            var (fh, fw) = _plan.FeatureSizes[tap.Tap];
            var gram = Normalize(sums[tap.Tap], (fh, fw));
            var target = _targets.Grams[tap.Tap];
            var c = (long)Math.Round(Math.Sqrt(gram.Length));
            var residual = new float[gram.Length];
            double squares = 0;
            for (var i = 0; i < gram.Length; i++)
            {
                residual[i] = gram[i] - target[i];
                squares += (double)residual[i] * residual[i];
            }
            var weight = (double)_model.StyleWeight(tap);
            style += weight * squares / gram.Length;
            shared[StyleTileNames.StyleResidual(tap.Tap)] = (residual, [c, c]);
            shared[StyleTileNames.StyleScale(tap.Tap)] = ([(float)(4 * weight / ((double)c * c * c * fh * fw))], []);
        }
        var contentCounts = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var tap in _model.ContentTaps)
        {
            var map = _targets.Content[tap.Tap];
            var count = (double)map.Data.Length;
            contentCounts[tap.Tap] = count;
            shared[StyleTileNames.ContentScale(tap.Tap)] = ([(float)(2 * _model.ContentWeight(tap) / count)], []);
        }

        // Pass 2: each tile's gradient against the global residuals, added up.
        var wantGradient = !gradient.IsEmpty;
        gradient.Clear();
        var outputs = new List<string> { GraphNames.Grad };
        outputs.AddRange(_model.ContentTapNames.Select(StyleTileNames.ContentSquares));
        var contentSquares = _model.ContentTapNames.ToDictionary(t => t, _ => 0.0, StringComparer.Ordinal);
        for (var t = 0; t < _plan.Tiles.Count; t++)
        {
            var tile = _plan.Tiles[t];
            var inputs = new Dictionary<string, (float[], long[])>(shared, StringComparer.Ordinal);
            foreach (var (name, value) in _tileContent[t]) inputs[name] = value;
            foreach (var (name, value) in _tileMasks[t]) inputs[name] = value;
            var result = TileRunner.Run(_objective, image, Height, Width, tile, inputs, outputs, cancellationToken);
            if (wantGradient) TileRunner.AddInto(result[GraphNames.Grad].Data, gradient, Height, Width, tile);
            foreach (var tap in _model.ContentTapNames) contentSquares[tap] += result[StyleTileNames.ContentSquares(tap)].Data[0];
        }
        double content = 0;
        foreach (var tap in _model.ContentTaps) content += _model.ContentWeight(tap) * contentSquares[tap.Tap] / contentCounts[tap.Tap];
        var tv = TotalVariation.AddGradient(image, gradient, Height, Width, _model.TvWeight);
        return new StyleLossParts(style, content, tv);
    }

    /// <summary>
    /// Guided Grams of one tap from the tiles' summed partials: per region <c>G_k = sum_k / (C Z_k)</c>,
    /// its residual and gradient scale <c>4 w_k / (C^2 * C Z_k)</c> into <paramref name="shared"/>; returns the tap's style term.
    /// </summary>
    private double RegionResiduals(TapWeight tap, StyleRegions regions, double[] sums, Dictionary<string, (float[], long[])> shared)
    {
        var k = regions.Count;
        var cc = sums.Length / k;
        var c = (long)Math.Round(Math.Sqrt(cc));
        var z = regions.MaskWeights(tap.Tap);
        var target = regions.Targets[tap.Tap];
        var residual = new float[sums.Length];
        var scales = new float[k];
        double term = 0;
        for (var r = 0; r < k; r++)
        {
            var weight = regions.RegionWeights[r] * _model.StyleWeight(tap);
            double squares = 0;
            for (var i = r * cc; i < (r + 1) * cc; i++)
            {
                residual[i] = (float)(sums[i] / (c * z[r])) - target[i];
                squares += (double)residual[i] * residual[i];
            }
            term += weight * squares / cc;
            scales[r] = (float)(4 * weight / ((double)c * c * c * z[r]));
        }
        shared[StyleTileNames.StyleResidual(tap.Tap)] = (residual, [k, c, c]);
        shared[StyleTileNames.StyleScale(tap.Tap)] = (scales, [k]);
        return term;
    }

    /// <summary>
    /// The <paramref name="count"/> stacked masks per style tap (<paramref name="masks"/>, of the
    /// <paramref name="sizes"/>) on <paramref name="tile"/>'s owned box, as the guided graphs take them ([K,1,bh,bw]).
    /// </summary>
    internal static Dictionary<string, (float[] Data, long[] Shape)> TileMasks(StyleTile tile, FeatureGeometry geometry,
        IReadOnlyDictionary<string, float[]> masks, IReadOnlyDictionary<string, (int Height, int Width)> sizes, int count)
    {
        var result = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
        foreach (var (tap, (mh, mw)) in sizes)
        {
            var box = tile.Crops[tap];
            var (bh, bw) = ((int)(box[2] - box[0]), (int)(box[3] - box[1]));
            var (top, left) = tile.GlobalOrigin(tap, geometry);
            var map = new FeatureMap(StyleGraphNames.StyleMask(tap), masks[tap], [1, count, mh, mw]);
            result[StyleGraphNames.StyleMask(tap)] = (TileRunner.CropFeatures(map, top, left, bh, bw), [count, 1, bh, bw]);
        }
        return result;
    }

    /// <summary>Sum over tiles of each style tap's partial Gram (per region with masks), in double.</summary>
    internal static Dictionary<string, double[]> PartialGramSums(OnnxSession session, IReadOnlyList<string> styleTaps, StyleTilePlan plan, ReadOnlySpan<float> image,
        Func<int, IReadOnlyDictionary<string, (float[] Data, long[] Shape)>> tileInputs, CancellationToken cancellationToken)
    {
        var outputs = styleTaps.Select(StyleTileNames.PartialGram).ToList();
        var sums = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (var t = 0; t < plan.Tiles.Count; t++)
        {
            var tile = plan.Tiles[t];
            var result = TileRunner.Run(session, image, plan.Height, plan.Width, tile, tileInputs(t), outputs, cancellationToken);
            foreach (var tap in styleTaps)
            {
                var partial = result[StyleTileNames.PartialGram(tap)].Data;
                if (!sums.TryGetValue(tap, out var sum)) sums[tap] = sum = new double[partial.Length];
                for (var i = 0; i < partial.Length; i++) sum[i] += partial[i];
            }
        }
        return sums;
    }

    /// <summary><c>sum / (C N)</c>, N the whole feature map's positions: the Gram as the untiled graph normalizes it.</summary>
    internal static float[] Normalize(double[] sum, (int Height, int Width) featureSize) => Normalize(sum, (double)featureSize.Height * featureSize.Width);

    /// <summary><c>sum / (C Z)</c>: a Gram over <paramref name="positions"/> (weighted) feature positions.</summary>
    internal static float[] Normalize(double[] sum, double positions)
    {
        var c = Math.Round(Math.Sqrt(sum.Length));
        var scale = 1.0 / (c * positions);
        return sum.Select(v => (float)(v * scale)).ToArray();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _model.Dispose();
    }
}
