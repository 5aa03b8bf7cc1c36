namespace NeuralArt.Graphs.Objectives;

/// <summary>Input names of compiled dream graphs (besides <c>image</c> and the guided dream's <c>guide.{tap}</c>).</summary>
public static class DreamGraphNames
{
    /// <summary>Scalar weight of a tap's term.</summary>
    public static string Weight(string tap) => "dream_weight." + tap;

    /// <summary>
    /// [1,C,1,1] channel selection of a tap: 1 selected, 0 not (all ones: every channel). Declared with
    /// the tap's channel count when the compiler knows it; otherwise dynamic, and only [1,1,1,1] ones fit.
    /// </summary>
    public static string ChannelMask(string tap) => "dream_mask." + tap;

    /// <summary>The distinct taps in ordinal order, so one set of taps always names one graph.</summary>
    internal static IReadOnlyList<string> TapSet(IEnumerable<string> taps)
    {
        ArgumentNullException.ThrowIfNull(taps);
        var set = taps.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (set.Count == 0) throw new ArgumentException("A dream objective needs at least one tap.", nameof(taps));
        return set;
    }
}

/// <summary>One value fed into a compiled graph.</summary>
public sealed record GraphInput(string Name, float[] Values, long[] Shape);

/// <summary>
/// What a dream request asks for at given taps: their weights and an optional channel selection
/// (applied at every tap, as a mean over the selected channels only). The compiled graph is the
/// same for every weight and selection (<see cref="Objective"/>); these are fed as its inputs
/// (<see cref="Inputs"/>).
/// </summary>
public sealed record DreamParameters(IReadOnlyList<TapWeight> Taps, IReadOnlyList<int>? Channels = null)
{
    /// <summary>The gradient graph these parameters feed.</summary>
    public DreamObjective Objective() => new(Taps.Select(t => t.Tap));

    /// <summary>The guided gradient graph these parameters feed (guided dreams take no channels).</summary>
    public GuidedDreamObjective GuidedObjective() => new(Taps.Select(t => t.Tap));

    /// <summary>Readable form for logs and test names, e.g. <c>layer3=0.7;layer4=1 ch=1,5</c>.</summary>
    public override string ToString() =>
        string.Join(";", Taps.Select(t => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.Tap}={t.Weight:R}"))) +
        (Channels is { Count: > 0 } ? " ch=" + string.Join(",", Channels) : "");

    /// <summary>
    /// The inputs of the plain dream graph: each tap's weight and channel mask.
    /// </summary>
    /// <param name="channelCount">
    /// Channels of a tap's activations: the mask input's declared dimension, or a value &lt;= 0 when the
    /// graph does not declare it (then only "every channel" can be fed, as a single 1).
    /// </param>
    /// <exception cref="ArgumentException">A tap is listed twice, or a channel is outside a tap's range.</exception>
    public IReadOnlyList<GraphInput> Inputs(Func<string, long> channelCount)
    {
        ArgumentNullException.ThrowIfNull(channelCount);
        var inputs = new List<GraphInput>(2 * Taps.Count);
        foreach (var tap in DistinctTaps())
        {
            inputs.Add(WeightInput(tap));
            var mask = Mask(tap.Tap, channelCount(tap.Tap));
            inputs.Add(new GraphInput(DreamGraphNames.ChannelMask(tap.Tap), mask, [1, mask.Length, 1, 1]));
        }
        return inputs;
    }

    /// <summary>The inputs of the guided dream graph besides the guide features: each tap's weight.</summary>
    public IReadOnlyList<GraphInput> GuidedInputs()
    {
        if (Channels is { Count: > 0 }) throw new ArgumentException("A guided dream takes no channel selection (the guide chooses the features).");
        return DistinctTaps().Select(WeightInput).ToList();
    }

    private static GraphInput WeightInput(TapWeight tap) => new(DreamGraphNames.Weight(tap.Tap), [tap.Weight], []);

    private IReadOnlyList<TapWeight> DistinctTaps()
    {
        var repeated = Taps.GroupBy(t => t.Tap, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"Tap '{repeated.Key}' is listed twice.");
        return Taps;
    }

    /// <summary>1 for each selected channel (all of them without a selection), 0 elsewhere.</summary>
    private float[] Mask(string tap, long count)
    {
        if (Channels is not { Count: > 0 } selection)
        {
            if (count <= 0) return [1f];
            var ones = new float[count];
            Array.Fill(ones, 1f);
            return ones;
        }
        if (count <= 0) throw new ArgumentException($"Channels cannot be selected at tap '{tap}': the model does not declare its channel count.");
        var mask = new float[count];
        foreach (var c in selection)
        {
            if (c < 0 || c >= count)
            {
                throw new ArgumentException($"Channel {c} is out of range: tap '{tap}' has {count} channels.");
            }
            mask[c] = 1f;
        }
        return mask;
    }
}
