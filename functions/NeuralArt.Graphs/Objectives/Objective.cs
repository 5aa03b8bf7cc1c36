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
/// positions). Inputs: <c>image</c>. Outputs: <c>loss</c>, <c>grad</c>.
/// </summary>
public sealed record DreamObjective(IReadOnlyList<TapWeight> Taps, IReadOnlyList<int>? Channels = null) : Objective
{
    public override string CacheKey =>
        "dream:" + string.Join(";", Taps.Select(t => $"{t.Tap}={t.Weight:R}")) +
        (Channels is { Count: > 0 } ? ":ch=" + string.Join(",", Channels) : "");
}

/// <summary>
/// Guided DeepDream (Mordvintsev's guide): each position's activation vector is pulled towards the
/// guide feature vector it matches best, <c>loss = sum_t w_t * sum_x max_y &lt;A_t(x), G_t(y)&gt; / N_t</c>
/// with N_t the number of positions of A_t.
/// Inputs: <c>image</c> and <c>guide.{tap}</c> ([1,C,h,w] features of the guide image).
/// </summary>
public sealed record GuidedDreamObjective(IReadOnlyList<TapWeight> Taps) : Objective
{
    public override string CacheKey => "guided:" + string.Join(";", Taps.Select(t => $"{t.Tap}={t.Weight:R}"));
}

/// <summary>Forward only: returns the taps' activations as outputs named after the taps.</summary>
public sealed record FeaturesObjective(IReadOnlyList<string> Taps) : Objective
{
    public override string CacheKey => "features:" + string.Join(";", Taps);
}
