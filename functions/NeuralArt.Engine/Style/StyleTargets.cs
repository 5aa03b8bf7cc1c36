using NeuralArt.Engine.Runtime;

namespace NeuralArt.Engine.Style;

/// <summary>
/// What one scale's objective is measured against: per style tap the target Gram matrix ([C,C],
/// normalized and smoothed as the objective's; with several style images, their blend), and per
/// content tap the content image's features ([1,C,h,w]).
/// </summary>
internal sealed record StyleTargets(IReadOnlyDictionary<string, float[]> Grams, IReadOnlyDictionary<string, FeatureMap> Content)
{
    /// <summary>With masks: the styles by region (then <see cref="Grams"/> is not used).</summary>
    public StyleRegions? Regions { get; init; }

    /// <summary>
    /// <c>sum_i w_i G_i</c> per tap (accumulated in double): the Gram of a blend is the blend of
    /// the Grams, which is what "70% this style, 30% that one" means for Gram statistics.
    /// </summary>
    public static IReadOnlyDictionary<string, float[]> Blend(IReadOnlyList<IReadOnlyDictionary<string, float[]>> grams, IReadOnlyList<double> weights)
    {
        if (grams.Count != weights.Count) throw new ArgumentException("One weight per style is needed.", nameof(weights));
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var tap in grams[0].Keys)
        {
            var sum = new double[grams[0][tap].Length];
            for (var i = 0; i < grams.Count; i++)
            {
                var g = grams[i][tap];
                for (var k = 0; k < sum.Length; k++) sum[k] += weights[i] * g[k];
            }
            result[tap] = sum.Select(v => (float)v).ToArray();
        }
        return result;
    }
}
