using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Onnx;

namespace NeuralArt.Graphs.Surgery;

/// <summary>
/// Folds the backbone's expected preprocessing into the graph, so every compiled graph takes RGB in
/// [0,1]: <c>x' = image[order] * a + b</c> with <c>a = scale / std</c>, <c>b = -mean / std</c>,
/// and writes its (trivial) backward: <c>d image = (dx' * a)[order^-1]</c>.
/// </summary>
internal sealed class Preprocessing
{
    private readonly long[]? _permutation;
    private readonly string _scale;

    private Preprocessing(long[]? permutation, string scale)
    {
        _permutation = permutation;
        _scale = scale;
    }

    /// <summary>Emits <c>image -&gt; backboneInput</c> into <paramref name="builder"/>.</summary>
    public static Preprocessing Emit(GraphBuilder builder, PreprocessingSpec spec, string backboneInput)
    {
        if (spec.Mean.Length != 3 || spec.Std.Length != 3 || spec.Std.Any(s => s == 0))
        {
            throw new GraphCompilationException("Preprocessing needs three means and three non-zero stds.");
        }
        long[]? permutation = spec.ChannelOrder.ToUpperInvariant() switch
        {
            "RGB" => null,
            "BGR" => [2, 1, 0],
            _ => throw new GraphCompilationException($"Unknown channel order '{spec.ChannelOrder}' (use RGB or BGR)."),
        };
        var a = new float[3];
        var b = new float[3];
        for (var c = 0; c < 3; c++)
        {
            a[c] = spec.Scale / spec.Std[c];
            b[c] = -spec.Mean[c] / spec.Std[c];
        }
        var scale = builder.ConstFloat(a, [1, 3, 1, 1], "pre_scale");
        var offset = builder.ConstFloat(b, [1, 3, 1, 1], "pre_offset");
        var x = GraphNames.Image;
        if (permutation is not null)
        {
            x = builder.Add("Gather", [x, builder.ConstInt64(permutation)], "pre_order", Attr.Int("axis", 1));
        }
        x = builder.Mul(x, scale, "pre_scaled");
        builder.AddNamed("Add", [x, offset], backboneInput);
        return new Preprocessing(permutation, scale);
    }

    /// <summary>Maps the gradient at the backbone input to the gradient at the image.</summary>
    public void EmitBackward(GraphBuilder builder, string backboneInputGrad, string output)
    {
        var g = builder.Mul(backboneInputGrad, _scale, "pre_grad");
        if (_permutation is null)
        {
            builder.AddNamed("Identity", [g], output);
            return;
        }
        var inverse = new long[3];
        for (var i = 0; i < 3; i++) inverse[_permutation[i]] = i;
        builder.AddNamed("Gather", [g, builder.ConstInt64(inverse)], output, Attr.Int("axis", 1));
    }
}
