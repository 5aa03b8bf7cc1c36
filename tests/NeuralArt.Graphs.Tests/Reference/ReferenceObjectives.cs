using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Graphs.Tests.Reference;

/// <summary>
/// The compiled graphs' preprocessing and objectives, written out in float64 from their documented
/// formulas (<see cref="PreprocessingSpec"/>, <see cref="DreamObjective"/>, <see cref="GuidedDreamObjective"/>).
/// </summary>
internal static class ReferenceObjectives
{
    /// <summary><c>x' = (x[order] * Scale - Mean) / Std</c> from an RGB [1,3,H,W] image in [0,1].</summary>
    public static RefTensor Preprocess(RefTensor rgb, PreprocessingSpec spec)
    {
        var (n, c, h, w) = rgb.Nchw("image");
        if (n != 1 || c != 3) throw new ArgumentException("The image must be [1,3,H,W].");
        int[] order = spec.ChannelOrder.ToUpperInvariant() switch
        {
            "RGB" => [0, 1, 2],
            "BGR" => [2, 1, 0],
            _ => throw new ArgumentException($"Channel order '{spec.ChannelOrder}'."),
        };
        var y = new RefTensor(rgb.Shape);
        var hw = h * w;
        for (var ch = 0; ch < 3; ch++)
        {
            for (var i = 0; i < hw; i++)
            {
                y.Data[ch * hw + i] = (rgb.Data[order[ch] * hw + i] * (double)spec.Scale - spec.Mean[ch]) / spec.Std[ch];
            }
        }
        return y;
    }

    /// <summary><c>sum_t w_t * mean over (selected channels, positions) of A_t^2</c>.</summary>
    public static double DreamLoss(IReadOnlyDictionary<string, RefTensor> taps, IReadOnlyList<(string Tensor, double Weight)> weights, IReadOnlyList<int>? channels)
    {
        var loss = 0.0;
        foreach (var (tensor, weight) in weights)
        {
            var a = taps[tensor];
            var (n, c, h, w) = a.Nchw(tensor);
            var selected = channels is { Count: > 0 } ? channels : Enumerable.Range(0, c).ToList();
            var sum = 0.0;
            foreach (var ch in selected)
            {
                for (var b = 0; b < n; b++)
                {
                    var plane = (b * c + ch) * h * w;
                    for (var i = 0; i < h * w; i++) sum += a.Data[plane + i] * a.Data[plane + i];
                }
            }
            loss += weight * sum / (n * selected.Count * h * w);
        }
        return loss;
    }

    /// <summary>
    /// <c>sum_t w_t * sum_x max_y &lt;A_t(x), G_t(y)&gt; / N_t</c>, N_t the number of positions of A_t
    /// (a mean over positions, as <see cref="GuidedDreamObjective"/> documents).
    /// Also returns, per tap, the index of the best-matching guide position for each x.
    /// </summary>
    public static (double Loss, Dictionary<string, int[]> BestMatch) GuidedLoss(
        IReadOnlyDictionary<string, RefTensor> taps,
        IReadOnlyDictionary<string, RefTensor> guides,
        IReadOnlyList<(string Tensor, double Weight)> weights)
    {
        var loss = 0.0;
        var best = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (tensor, weight) in weights)
        {
            var a = taps[tensor];
            var g = guides[tensor];
            var (_, c, h, w) = a.Nchw(tensor);
            var (_, gc, gh, gw) = g.Nchw("guide " + tensor);
            if (gc != c) throw new ArgumentException($"Guide for {tensor} has {gc} channels, the tap {c}.");
            var positions = h * w;
            var guidePositions = gh * gw;
            var match = new int[positions];
            var sum = 0.0;
            for (var x = 0; x < positions; x++)
            {
                var bestDot = double.NegativeInfinity;
                for (var y = 0; y < guidePositions; y++)
                {
                    var dot = 0.0;
                    for (var ch = 0; ch < c; ch++) dot += a.Data[ch * positions + x] * g.Data[ch * guidePositions + y];
                    if (dot > bestDot)
                    {
                        bestDot = dot;
                        match[x] = y;
                    }
                }
                sum += bestDot;
            }
            loss += weight * sum / positions;
            best[tensor] = match;
        }
        return (loss, best);
    }
}
