using System.Globalization;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Graphs.Objectives;

/// <summary>
/// Gatys et al. style transfer in one graph. Inputs: <c>image</c>; per style tap
/// <c>style_target.{tap}</c> ([C,C] Gram target) and <c>style_weight.{tap}</c> (scalar); per
/// content tap <c>content_target.{tap}</c> ([1,C,h,w]) and <c>content_weight.{tap}</c>; and
/// <c>tv_weight</c>. Outputs: <c>loss</c>, <c>grad</c>, and the weighted parts <c>style_loss</c>,
/// <c>content_loss</c>, <c>tv_loss</c>.
/// Style: <c>w * mean((G - T)^2)</c> with <c>G = F F^T / (C H W)</c> of the (smoothed) features;
/// content: <c>w * mean((A - P)^2)</c>; total variation: <c>w * (sum dh^2 + sum dw^2) / (3 H W)</c>.
/// <see cref="Masked"/>: styles by region with guided Grams (<see cref="MaskedStyleLoss"/>): per style
/// tap <c>style_mask.{tap}</c> ([K,1,h,w] at the tap's resolution), <c>style_target.{tap}</c>
/// [K,C,C] and <c>style_weight.{tap}</c> [K], for any number K of regions.
/// </summary>
public sealed record StyleObjective(
    IReadOnlyList<string> StyleTaps,
    IReadOnlyList<string> ContentTaps,
    StyleSmoothing? Smoothing = null,
    bool Masked = false) : Objective
{
    /// <summary>A region's mask weight <c>Z_k</c> is at least this: an empty region's Gram is then 0 and its gradient 0, not NaN.</summary>
    public const float MinMaskWeight = 1e-6f;

    public override string CacheKey =>
        "style:" + string.Join(";", StyleTaps) + ":content=" + string.Join(";", ContentTaps) +
        ":smooth=" + (Smoothing?.CacheKey ?? "none") + (Masked ? ":masked" : "");

    public override IReadOnlyList<string> TapNames => [.. StyleTaps, .. ContentTaps];

    internal override bool NeedsGradient => true;

    internal override void Emit(ObjectiveEmitter emitter)
    {
        var builder = emitter.Builder;
        var styleTerms = new List<string>();
        foreach (var tap in StyleTaps.Distinct())
        {
            if (Masked)
            {
                // One Gram per region: targets [K,C,C], weights [K], masks [K,1,h,w] at the tap's size.
                emitter.Inputs.Add(ObjectiveEmitter.RegionGramValue(StyleGraphNames.StyleTarget(tap), emitter.ChannelsOf(tap)));
                emitter.Inputs.Add(ObjectiveEmitter.RegionScalarValue(StyleGraphNames.StyleWeight(tap)));
                emitter.Inputs.Add(ObjectiveEmitter.RegionMaskValue(StyleGraphNames.StyleMask(tap)));
                styleTerms.Add(MaskedStyleLoss.EmitStyle(builder, emitter.Backward, emitter.Tensor(tap), tap, Smoothing));
                continue;
            }

            emitter.Inputs.Add(ObjectiveEmitter.GramValue(StyleGraphNames.StyleTarget(tap), emitter.ChannelsOf(tap)));
            emitter.Inputs.Add(ObjectiveEmitter.ScalarValue(StyleGraphNames.StyleWeight(tap)));
            styleTerms.Add(StyleLoss.EmitStyle(builder, emitter.Backward, emitter.Tensor(tap), tap, Smoothing));
        }
        var contentTerms = new List<string>();
        foreach (var tap in ContentTaps.Distinct())
        {
            emitter.Inputs.Add(ObjectiveEmitter.FeatureValue(StyleGraphNames.ContentTarget(tap), emitter.ChannelsOf(tap)));
            emitter.Inputs.Add(ObjectiveEmitter.ScalarValue(StyleGraphNames.ContentWeight(tap)));
            contentTerms.Add(StyleLoss.EmitContent(builder, emitter.Backward, emitter.Tensor(tap), tap));
        }
        emitter.Inputs.Add(ObjectiveEmitter.ScalarValue(StyleGraphNames.TvWeight));
        var (tvTerm, tvGrad) = StyleLoss.EmitTotalVariation(builder);
        var styleLoss = emitter.NamedSum(styleTerms, StyleGraphNames.StyleLoss);
        var contentLoss = emitter.NamedSum(contentTerms, StyleGraphNames.ContentLoss);
        builder.AddNamed("Identity", [tvTerm], StyleGraphNames.TvLoss);
        builder.AddNamed("Sum", [styleLoss, contentLoss, StyleGraphNames.TvLoss], GraphNames.Loss);
        var networkGrad = builder.Fresh("network_grad");
        emitter.EmitImageGradient(networkGrad);
        builder.AddNamed("Add", [networkGrad, tvGrad], GraphNames.Grad);
        emitter.Outputs.Add(ObjectiveEmitter.ScalarValue(GraphNames.Loss));
        emitter.Outputs.Add(ObjectiveEmitter.ImageValue(GraphNames.Grad));
        emitter.Outputs.Add(ObjectiveEmitter.ScalarValue(StyleGraphNames.StyleLoss));
        emitter.Outputs.Add(ObjectiveEmitter.ScalarValue(StyleGraphNames.ContentLoss));
        emitter.Outputs.Add(ObjectiveEmitter.ScalarValue(StyleGraphNames.TvLoss));
    }
}

/// <summary>How style features are smoothed before the Gram matrix (Wang, Li and Vasconcelos, CVPR 2021).</summary>
public enum StyleSmoothingMode
{
    /// <summary>Features used as they are.</summary>
    None,
    /// <summary>Features at <see cref="StyleSmoothing.Taps"/> multiplied by <see cref="StyleSmoothing.Factor"/>
    /// (what the authors' released code does to the peaky deep layers of residual nets).</summary>
    Scale,
    /// <summary>Softmax over channels at each position, <c>softmax(A / T)</c>, at <see cref="StyleSmoothing.Taps"/> (the paper's transform).</summary>
    Softmax,
}

/// <summary>Style-feature smoothing settings; <see cref="Taps"/> empty means every style tap.</summary>
public sealed record StyleSmoothing(StyleSmoothingMode Mode, float Factor = 1e-3f, float Temperature = 1f, IReadOnlyList<string>? Taps = null)
{
    public bool AppliesTo(string tap) => Mode != StyleSmoothingMode.None && (Taps is not { Count: > 0 } || Taps.Contains(tap));

    public string CacheKey => Mode switch
    {
        StyleSmoothingMode.None => "none",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Mode}:{Factor:R}:{Temperature:R}:{string.Join(",", Taps ?? [])}"),
    };
}

/// <summary>
/// Forward only: the targets a <see cref="StyleObjective"/> needs, computed with the same Gram
/// normalization and smoothing. Outputs <c>style_target.{tap}</c> ([C,C]) for each style tap and
/// <c>content_target.{tap}</c> ([1,C,h,w]) for each content tap.
/// </summary>
public sealed record StyleTargetsObjective(
    IReadOnlyList<string> StyleTaps,
    IReadOnlyList<string> ContentTaps,
    StyleSmoothing? Smoothing = null) : Objective
{
    public override string CacheKey =>
        "styletargets:" + string.Join(";", StyleTaps) + ":content=" + string.Join(";", ContentTaps) +
        ":smooth=" + (Smoothing?.CacheKey ?? "none");

    public override IReadOnlyList<string> TapNames => [.. StyleTaps, .. ContentTaps];

    internal override bool NeedsGradient => false;

    internal override void Emit(ObjectiveEmitter emitter)
    {
        var builder = emitter.Builder;
        foreach (var tap in StyleTaps.Distinct())
        {
            var gram = StyleLoss.EmitGram(builder, emitter.Tensor(tap), tap, Smoothing).Gram;
            emitter.Outputs.Add(ObjectiveEmitter.GramValue(builder.AddNamed("Identity", [gram], StyleGraphNames.StyleTarget(tap)), emitter.ChannelsOf(tap)));
        }
        foreach (var tap in ContentTaps.Distinct())
        {
            builder.AddNamed("Identity", [emitter.Tensor(tap)], StyleGraphNames.ContentTarget(tap));
            emitter.Outputs.Add(ObjectiveEmitter.FeatureValue(StyleGraphNames.ContentTarget(tap), emitter.ChannelsOf(tap)));
        }
    }
}
