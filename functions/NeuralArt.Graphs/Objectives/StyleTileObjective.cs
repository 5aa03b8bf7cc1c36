using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Graphs.Objectives;

/// <summary>
/// Exact tiled style transfer, pass 1 (forward). The image input is one tile with a halo as wide as
/// the taps' receptive field; <c>crop.{tap}</c> (int64 [4]: top, left, bottom, right in the tap's
/// feature coordinates) selects the features that belong to the tile's centre. Outputs, per style
/// tap, <c>partial_gram.{tap}</c> = <c>F_c F_c^T</c> (not normalized; summing the tiles' gives the
/// whole image's) and, per content tap, <c>crop_features.{tap}</c> (the centre's features).
/// <see cref="Masked"/>: an input <c>style_mask.{tap}</c> ([K,1,bh,bw], the masks on the centre's box)
/// and <c>partial_gram.{tap}</c> = <c>F_c diag(m_k) F_c^T</c> per region, [K,C,C].
/// </summary>
public sealed record StyleTileTargetsObjective(
    IReadOnlyList<string> StyleTaps,
    IReadOnlyList<string> ContentTaps,
    StyleSmoothing? Smoothing = null,
    bool Masked = false) : Objective
{
    public override string CacheKey =>
        "styletiletargets:" + string.Join(";", StyleTaps) + ":content=" + string.Join(";", ContentTaps) +
        ":smooth=" + (Smoothing?.CacheKey ?? "none") + (Masked ? ":masked" : "");

    public override IReadOnlyList<string> TapNames => [.. StyleTaps, .. ContentTaps];

    internal override bool NeedsGradient => false;

    internal override void Emit(ObjectiveEmitter emitter)
    {
        var builder = emitter.Builder;
        emitter.AddCropInputs([.. StyleTaps, .. ContentTaps]);
        foreach (var tap in StyleTaps.Distinct())
        {
            if (Masked)
            {
                emitter.Inputs.Add(ObjectiveEmitter.RegionMaskValue(StyleGraphNames.StyleMask(tap)));
                var grams = MaskedStyleLoss.PartialGram(builder, emitter.Tensor(tap), tap, Smoothing);
                emitter.Outputs.Add(ObjectiveEmitter.RegionGramValue(builder.AddNamed("Identity", [grams], StyleTileNames.PartialGram(tap)), emitter.ChannelsOf(tap)));
                continue;
            }

            var gram = StyleTileLoss.PartialGram(builder, emitter.Tensor(tap), tap, Smoothing);
            emitter.Outputs.Add(ObjectiveEmitter.GramValue(builder.AddNamed("Identity", [gram], StyleTileNames.PartialGram(tap)), emitter.ChannelsOf(tap)));
        }
        foreach (var tap in ContentTaps.Distinct())
        {
            builder.AddNamed("Identity", [StyleTileLoss.Crop(builder, emitter.Tensor(tap), tap)], StyleTileNames.CropFeatures(tap));
            emitter.Outputs.Add(ObjectiveEmitter.FeatureValue(StyleTileNames.CropFeatures(tap), emitter.ChannelsOf(tap)));
        }
    }
}

/// <summary>
/// Exact tiled style transfer, pass 2 (gradient of one tile's share). Inputs: <c>image</c> (tile
/// with halo), <c>crop.{tap}</c>, per style tap <c>style_residual.{tap}</c> (<c>G - T</c> of the
/// whole image, [C,C]) and <c>style_scale.{tap}</c> (<c>4 w / (C^2 * C N)</c> with N the whole
/// image's positions), per content tap <c>content_target.{tap}</c> (the centre's target features)
/// and <c>content_scale.{tap}</c> (<c>2 w / numel</c> of the whole image's features). Outputs
/// <c>grad</c> (to be added over tiles, halos included) and <c>content_sq.{tap}</c>
/// (<c>sum (A_c - P)^2</c> over the centre). Total variation is left to the caller.
/// <see cref="Masked"/>: per style tap also <c>style_mask.{tap}</c> ([K,1,bh,bw] on the centre's box),
/// with <c>style_residual.{tap}</c> [K,C,C] and <c>style_scale.{tap}</c> [K] (<c>4 w_k / (C^2 * C Z_k)</c>).
/// </summary>
public sealed record StyleTileObjective(
    IReadOnlyList<string> StyleTaps,
    IReadOnlyList<string> ContentTaps,
    StyleSmoothing? Smoothing = null,
    bool Masked = false) : Objective
{
    public override string CacheKey =>
        "styletile:" + string.Join(";", StyleTaps) + ":content=" + string.Join(";", ContentTaps) +
        ":smooth=" + (Smoothing?.CacheKey ?? "none") + (Masked ? ":masked" : "");

    public override IReadOnlyList<string> TapNames => [.. StyleTaps, .. ContentTaps];

    internal override bool NeedsGradient => true;

    internal override void Emit(ObjectiveEmitter emitter)
    {
        var builder = emitter.Builder;
        emitter.AddCropInputs([.. StyleTaps, .. ContentTaps]);
        foreach (var tap in StyleTaps.Distinct())
        {
            if (Masked)
            {
                emitter.Inputs.Add(ObjectiveEmitter.RegionGramValue(StyleTileNames.StyleResidual(tap), emitter.ChannelsOf(tap)));
                emitter.Inputs.Add(ObjectiveEmitter.RegionScalarValue(StyleTileNames.StyleScale(tap)));
                emitter.Inputs.Add(ObjectiveEmitter.RegionMaskValue(StyleGraphNames.StyleMask(tap)));
                MaskedStyleLoss.SeedStyle(builder, emitter.Backward, emitter.Tensor(tap), tap, Smoothing);
                continue;
            }

            emitter.Inputs.Add(ObjectiveEmitter.GramValue(StyleTileNames.StyleResidual(tap), emitter.ChannelsOf(tap)));
            emitter.Inputs.Add(ObjectiveEmitter.ScalarValue(StyleTileNames.StyleScale(tap)));
            StyleTileLoss.SeedStyle(builder, emitter.Backward, emitter.Tensor(tap), tap, Smoothing);
        }
        foreach (var tap in ContentTaps.Distinct())
        {
            emitter.Inputs.Add(ObjectiveEmitter.FeatureValue(StyleGraphNames.ContentTarget(tap), emitter.ChannelsOf(tap)));
            emitter.Inputs.Add(ObjectiveEmitter.ScalarValue(StyleTileNames.ContentScale(tap)));
            var squares = StyleTileLoss.SeedContent(builder, emitter.Backward, emitter.Tensor(tap), tap);
            emitter.Outputs.Add(ObjectiveEmitter.ScalarValue(builder.AddNamed("Identity", [squares], StyleTileNames.ContentSquares(tap))));
        }
        emitter.EmitImageGradient(GraphNames.Grad);
        emitter.Outputs.Insert(0, ObjectiveEmitter.ImageValue(GraphNames.Grad));
    }
}
