using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Graphs.Objectives;

/// <summary>A tap and its weight in an objective.</summary>
public sealed record TapWeight(string Tap, float Weight);

/// <summary>
/// What a compiled graph computes. Each kind has a stable <see cref="CacheKey"/>, names the taps it
/// reads, and writes its own part of the graph (inputs, loss terms, backward seeds, outputs), so
/// the compiler has no switch over objective kinds.
/// </summary>
public abstract record Objective
{
    /// <summary>Text that identifies the objective in the compiled-model cache key.</summary>
    public abstract string CacheKey { get; }

    /// <summary>The taps the objective reads (a tap may appear more than once).</summary>
    public abstract IReadOnlyList<string> TapNames { get; }

    /// <summary>Whether the graph differentiates (forward-only objectives do not).</summary>
    internal abstract bool NeedsGradient { get; }

    /// <summary>Writes the objective onto the forward network in <paramref name="emitter"/>.</summary>
    internal abstract void Emit(ObjectiveEmitter emitter);
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

    public override IReadOnlyList<string> TapNames => Taps.Select(t => t.Tap).ToList();

    internal override bool NeedsGradient => true;

    internal override void Emit(ObjectiveEmitter emitter) =>
        emitter.EmitLossAndGradient(Taps.Select(t => DreamLoss.Emit(emitter.Builder, emitter.Backward, emitter.Tensor(t.Tap), t.Weight,
            Channels, emitter.ChannelsOf(t.Tap))).ToList());
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

    public override IReadOnlyList<string> TapNames => Taps.Select(t => t.Tap).ToList();

    internal override bool NeedsGradient => true;

    internal override void Emit(ObjectiveEmitter emitter)
    {
        var terms = new List<string>();
        foreach (var t in Taps)
        {
            var guideName = GraphNames.GuidePrefix + t.Tap;
            emitter.Inputs.Add(ObjectiveEmitter.FeatureValue(guideName, emitter.ChannelsOf(t.Tap)));
            terms.Add(GuidedDreamLoss.Emit(emitter.Builder, emitter.Backward, emitter.Tensor(t.Tap), guideName, t.Weight));
        }
        emitter.EmitLossAndGradient(terms);
    }
}

/// <summary>Forward only: returns the taps' activations as outputs named after the taps.</summary>
public sealed record FeaturesObjective(IReadOnlyList<string> Taps) : Objective
{
    public override string CacheKey => "features:" + string.Join(";", Taps);

    public override IReadOnlyList<string> TapNames => Taps;

    internal override bool NeedsGradient => false;

    internal override void Emit(ObjectiveEmitter emitter)
    {
        var forwardTensors = emitter.ForwardTensors;
        foreach (var tap in Taps.Distinct())
        {
            var tensor = emitter.Tensor(tap);
            // Imported models name taps after their tensors (mixed3 is the tensor mixed3): output it as is.
            if (tensor != tap)
            {
                if (forwardTensors.Contains(tap))
                {
                    throw new GraphCompilationException(
                        $"Tap '{tap}' names the backbone tensor '{tap}' but reads '{tensor}'; rename the tap in the manifest.");
                }
                emitter.Builder.AddNamed("Identity", [tensor], tap);
            }
            emitter.Outputs.Add(ObjectiveEmitter.FeatureValue(tap, emitter.ChannelsOf(tap)));
        }
    }
}
