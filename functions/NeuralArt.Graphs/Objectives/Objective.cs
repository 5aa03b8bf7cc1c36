namespace NeuralArt.Graphs.Objectives;

/// <summary>A tap and its weight in an objective.</summary>
public sealed record TapWeight(string Tap, float Weight);

/// <summary>What a compiled graph computes. Each kind has a stable <see cref="CacheKey"/>.</summary>
public abstract record Objective
{
    /// <summary>Text that identifies the objective in the compiled-model cache key.</summary>
    public abstract string CacheKey { get; }
}

/// <summary>
/// DeepDream: <c>loss = sum_t w_t * mean(A_t^2)</c> (mean over the selected channels and all
/// positions). The compiled graph depends only on the SET of taps: the weights and the channel
/// selection are graph inputs (<see cref="DreamGraphNames"/>, values from <see cref="DreamParameters"/>),
/// so new weights or channels never compile a new graph nor open a new session.
/// Inputs: <c>image</c>; per tap <c>dream_weight.{tap}</c> (scalar) and <c>dream_mask.{tap}</c>
/// ([1,C,1,1], 1 for a selected channel, 0 otherwise). Outputs: <c>loss</c>, <c>grad</c>.
/// </summary>
public sealed record DreamObjective : Objective
{
    /// <param name="taps">The taps; order and repeats do not matter (the graph is compiled for the sorted set).</param>
    public DreamObjective(IEnumerable<string> taps) => Taps = DreamGraphNames.TapSet(taps);

    /// <summary>The distinct taps in ordinal order: the order the graph sums their terms in.</summary>
    public IReadOnlyList<string> Taps { get; }

    public override string CacheKey => "dream:" + string.Join(";", Taps);

    public bool Equals(DreamObjective? other) => other is not null && CacheKey == other.CacheKey;

    public override int GetHashCode() => CacheKey.GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// Guided DeepDream (Mordvintsev's guide): each position's activation vector is pulled towards the
/// guide feature vector it matches best, <c>loss = sum_t w_t * sum_x max_y &lt;A_t(x), G_t(y)&gt; / N_t</c>
/// with N_t the number of positions of A_t. Like <see cref="DreamObjective"/>, compiled for the set
/// of taps only. Inputs: <c>image</c>, per tap <c>guide.{tap}</c> ([1,C,h,w] features of the guide
/// image) and <c>dream_weight.{tap}</c> (scalar).
/// </summary>
public sealed record GuidedDreamObjective : Objective
{
    /// <param name="taps">The taps; order and repeats do not matter (the graph is compiled for the sorted set).</param>
    public GuidedDreamObjective(IEnumerable<string> taps) => Taps = DreamGraphNames.TapSet(taps);

    /// <summary>The distinct taps in ordinal order.</summary>
    public IReadOnlyList<string> Taps { get; }

    public override string CacheKey => "guided:" + string.Join(";", Taps);

    public bool Equals(GuidedDreamObjective? other) => other is not null && CacheKey == other.CacheKey;

    public override int GetHashCode() => CacheKey.GetHashCode(StringComparison.Ordinal);
}

/// <summary>Forward only: returns the taps' activations as outputs named after the taps.</summary>
public sealed record FeaturesObjective(IReadOnlyList<string> Taps) : Objective
{
    public override string CacheKey => "features:" + string.Join(";", Taps);
}
