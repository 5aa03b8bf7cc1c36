using static NeuralArt.Graphs.Tests.Networks.OpNetworks;

namespace NeuralArt.Graphs.Tests.Networks;

/// <summary>
/// A miniature Keras InceptionV3 (as the TF.js importer writes it): Conv + BatchNormalization + ReLU
/// units without bias, the valid stride-2 stem, a "same" block whose branches (1x1, 5x5, double 3x3,
/// average pool without pad counting) meet in a Concat, a valid stride-2 reduction block whose
/// max-pool branch is the previous Concat itself, a 1x7/7x1 block, and a nested Concat as in
/// mixed9. Taps at the three block outputs (the real manifest's mixed0..mixed10), named after their tensors.
/// </summary>
internal static class InceptionV3Network
{
    public const string Name = "inception-v3";

    public static TestNetwork Build()
    {
        var b = new NetBuilder(Name, seed: 35);
        string Unit(string x, int cin, int cout, int kh, int kw, int stride = 1, bool same = true)
        {
            int[] pads = same ? [(kh - 1) / 2, (kw - 1) / 2, kh / 2, kw / 2] : [0, 0, 0, 0];
            var conv = b.Conv(x, cin, cout, [kh, kw], strides: [stride, stride], pads: pads, bias: false);
            return b.Relu(b.BatchNorm(conv, cout));
        }
        int[] samePool = [1, 1, 1, 1];

        // Stem: 3x3/2 valid, 3x3 valid, 3x3 same, max pool 3x3/2 valid.
        var stem = Unit(Unit(Unit(NetBuilder.InputName, 3, 4, 3, 3, stride: 2, same: false), 4, 4, 3, 3, same: false), 4, 6, 3, 3);
        var pooled = b.MaxPool(stem, [3, 3], [2, 2]);

        // mixed0: 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | avg pool 3x3 same -> 1x1.
        var m0 = b.Concat(
            Unit(pooled, 6, 6, 1, 1),
            Unit(Unit(pooled, 6, 2, 1, 1), 2, 5, 5, 5),
            Unit(Unit(Unit(pooled, 6, 2, 1, 1), 2, 3, 3, 3), 3, 5, 3, 3),
            Unit(b.AveragePool(pooled, [3, 3], [1, 1], samePool), 6, 4, 1, 1));
        // At least SplitPhasesMinChannels, so the reduction block's 3x3/2 backward takes the per-phase path.
        const int M0 = 20;

        // mixed1 (as mixed3): 3x3/2 valid | 1x1 -> 3x3 -> 3x3/2 valid | max pool 3x3/2 valid of mixed0.
        var m1 = b.Concat(
            Unit(m0, M0, 6, 3, 3, stride: 2, same: false),
            Unit(Unit(Unit(m0, M0, 4, 1, 1), 4, 4, 3, 3), 4, 3, 3, 3, stride: 2, same: false),
            b.MaxPool(m0, [3, 3], [2, 2]));
        const int M1 = 6 + 3 + M0;

        // mixed2 (as mixed4): 1x1 | 1x1 -> 1x7 -> 7x1 | avg pool -> 1x1, then a nested Concat as mixed9's.
        var seven = Unit(Unit(Unit(m1, M1, 2, 1, 1), 2, 2, 1, 7), 2, 3, 7, 1);
        var nested = b.Concat(Unit(seven, 3, 2, 1, 3), Unit(seven, 3, 2, 3, 1));
        var m2 = b.Concat(
            Unit(m1, M1, 3, 1, 1),
            nested,
            Unit(b.AveragePool(m1, [3, 3], [1, 1], samePool), M1, 2, 1, 1));

        // As in an imported model, each tap is named after its tensor (the TF.js importer names tensors after layers).
        return new TestNetwork(Name, b.Build([m0, m1, m2]), Taps((m0, m0), (m1, m1), (m2, m2)), m1, Skewed)
        {
            MultiTap = [new(m0, 0.2f), new(m1, 0.5f), new(m2, 2f)],
            Channels = [0, 4, 6],
            // The two valid 3x3/2 stages and the valid max pools need about 40 pixels to leave a 3x3 mixed1.
            Sizes = [(39, 45), (40, 42)],
        };
    }
}
