using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Objectives;

/// <summary>Emits the tiled style passes: crops of tap features, partial Grams, and seeds against global residuals.</summary>
internal static class StyleTileLoss
{
    /// <summary>Slices the tile centre out of a tap's features with the run-time <c>crop.{tap}</c> box.</summary>
    public static string Crop(GraphBuilder b, string features, string tap)
    {
        var box = StyleTileNames.Crop(tap);
        var starts = b.Add("Slice", [box, b.ConstInt64([0]), b.ConstInt64([2])], "crop_starts");
        var ends = b.Add("Slice", [box, b.ConstInt64([2]), b.ConstInt64([4])], "crop_ends");
        return b.Add("Slice", [features, starts, ends, b.ConstInt64([2, 3])], "crop");
    }

    /// <summary>Gradient of a crop: zero-pad it back to the features' size.</summary>
    public static string Uncrop(GraphBuilder b, string gradient, string features, string tap)
    {
        var box = StyleTileNames.Crop(tap);
        var topLeft = b.Add("Slice", [box, b.ConstInt64([0]), b.ConstInt64([2])], "uncrop_tl");
        var bottomRight = b.Add("Slice", [box, b.ConstInt64([2]), b.ConstInt64([4])], "uncrop_br");
        var after = b.Add("Sub", [b.ShapeOf(features, 2, 4), bottomRight], "uncrop_after");
        var zeros = b.ConstInt64([0, 0]);
        var pads = b.Add("Concat", [zeros, topLeft, zeros, after], "uncrop_pads", Attr.Int("axis", 0));
        return b.Add("Pad", [gradient, pads], "uncrop");
    }

    /// <summary>Unnormalized Gram <c>F_c F_c^T</c> of the (smoothed) centre features, as [C, C].</summary>
    public static string PartialGram(GraphBuilder b, string activation, string tap, StyleSmoothing? smoothing)
    {
        var features = StyleLoss.Smooth(b, activation, tap, smoothing);
        var flat = b.Add("Reshape", [Crop(b, features, tap), b.ConstInt64([0, 0, -1])], "pgram_f");
        var flatT = b.Add("Transpose", [flat], "pgram_ft", Attr.Ints("perm", [0, 2, 1]));
        return b.Add("Squeeze", [b.Add("MatMul", [flat, flatT], "pgram_raw"), b.ConstInt64([0])], "pgram");
    }

    /// <summary>Seeds <c>d/dF_c = style_scale * R F_c</c> (R symmetric), routed back through the crop and smoothing.</summary>
    public static void SeedStyle(GraphBuilder b, BackwardPass backward, string activation, string tap, StyleSmoothing? smoothing)
    {
        var features = StyleLoss.Smooth(b, activation, tap, smoothing);
        var centre = Crop(b, features, tap);
        var flat = b.Add("Reshape", [centre, b.ConstInt64([0, 0, -1])], "tile_f");
        var residual = b.Add("Unsqueeze", [StyleTileNames.StyleResidual(tap), b.ConstInt64([0])], "tile_r");
        var dFlat = b.Mul(b.Add("MatMul", [residual, flat], "tile_rf"), StyleTileNames.StyleScale(tap), "tile_dflat");
        var dCentre = b.Add("Reshape", [dFlat, b.ShapeOf(centre)], "tile_dcentre");
        var dFeatures = Uncrop(b, dCentre, features, tap);
        backward.Seed(activation, StyleLoss.SmoothingBackward(b, dFeatures, features, tap, smoothing));
    }

    /// <summary>Seeds the content gradient of the centre and returns its partial sum of squares.</summary>
    public static string SeedContent(GraphBuilder b, BackwardPass backward, string activation, string tap)
    {
        var diff = b.Add("Sub", [Crop(b, activation, tap), StyleGraphNames.ContentTarget(tap)], "tile_content_diff");
        var dCentre = b.Mul(diff, StyleTileNames.ContentScale(tap), "tile_content_seed");
        backward.Seed(activation, Uncrop(b, dCentre, activation, tap));
        return b.Add("ReduceSum", [b.Mul(diff, diff)], "tile_content_sq", Attr.Int("keepdims", 0));
    }
}

/// <summary>Input and output names of the tiled style graphs.</summary>
public static class StyleTileNames
{
    public static string Crop(string tap) => "crop." + tap;
    public static string PartialGram(string tap) => "partial_gram." + tap;
    public static string CropFeatures(string tap) => "crop_features." + tap;
    public static string StyleResidual(string tap) => "style_residual." + tap;
    public static string StyleScale(string tap) => "style_scale." + tap;
    public static string ContentScale(string tap) => "content_scale." + tap;
    public static string ContentSquares(string tap) => "content_sq." + tap;
}
