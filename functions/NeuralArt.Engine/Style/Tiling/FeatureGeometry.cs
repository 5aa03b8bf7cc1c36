using System.Collections.Concurrent;
using Onnx;

namespace NeuralArt.Engine.Style.Tiling;

/// <summary>
/// Where a tap's feature at position q (along one image axis) comes from: image rows
/// <c>[q * Jump + Low, q * Jump + High]</c>. <see cref="Low"/> is at most 0 (padding reaches
/// before the anchor) and <see cref="High"/> at least 0 (the kernels' extent after it).
/// </summary>
public readonly record struct AxisReach(int Jump, int Low, int High);

/// <summary>
/// The spatial geometry of a compiled features graph, read from its nodes: for each tap, along each
/// axis, the stride to the image (<see cref="AxisReach.Jump"/>) and the receptive field (the image
/// rows a feature depends on), and the feature map's size for any image size. Tiled style transfer
/// needs both to be exact: tiles start at multiples of the largest jump (so their feature grids line
/// up with the whole image's) and carry a halo as wide as the receptive field (so the features they
/// own are computed from the same pixels as in the whole image).
/// </summary>
public sealed class FeatureGeometry
{
    private static readonly ConcurrentDictionary<string, FeatureGeometry> Cache = new(StringComparer.Ordinal);

    // Ops that keep the spatial grid: element-wise, per-position or per-channel.
    private static readonly HashSet<string> GridPreserving = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Identity", "Add", "Sub", "Mul", "Div", "Sum", "Max", "Min",
        "BatchNormalization", "Gather", "Concat", "LRN", "Dropout", "Softmax", "Neg", "Abs", "Exp", "Sqrt", "Pow", "Cast",
    };

    private readonly Dictionary<string, Layer[]> _chains;

    private FeatureGeometry(Dictionary<string, (AxisReach H, AxisReach W)> taps, Dictionary<string, Layer[]> chains)
    {
        Taps = taps;
        _chains = chains;
    }

    /// <summary>Reach per tap (graph output name), along H and W.</summary>
    public IReadOnlyDictionary<string, (AxisReach H, AxisReach W)> Taps { get; }

    /// <summary>The feature map size of a tap for an image of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (int Height, int Width) FeatureSize(string tap, int height, int width)
    {
        var chain = _chains[tap];
        int h = height, w = width;
        foreach (var layer in chain)
        {
            h = layer.H.Output(h);
            w = layer.W.Output(w);
        }
        return (h, w);
    }

    /// <summary>The geometry of the graph at <paramref name="path"/> (cached by path: compiled graphs never change in place).</summary>
    public static FeatureGeometry Load(string path) => Cache.GetOrAdd(Path.GetFullPath(path), p => Analyze(ModelProto.Parser.ParseFrom(File.ReadAllBytes(p))));

    /// <summary>
    /// Walks the graph from its image input. Every tensor derived from the image gets a reach and
    /// the chain of size-changing layers that produced it; an op that would move pixels in a way
    /// this does not model (Resize, Reshape...) makes the analysis refuse rather than guess.
    /// </summary>
    public static FeatureGeometry Analyze(ModelProto model)
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var input = graph.Input.First(i => !initializers.ContainsKey(i.Name)).Name;
        var reach = new Dictionary<string, (AxisReach H, AxisReach W, Layer[] Chain)>(StringComparer.Ordinal)
        {
            [input] = (new AxisReach(1, 0, 0), new AxisReach(1, 0, 0), []),
        };
        foreach (var node in graph.Node)
        {
            var sources = node.Input.Where(reach.ContainsKey).ToList();
            if (sources.Count == 0) continue;
            (AxisReach H, AxisReach W, Layer[] Chain) result;
            switch (node.OpType)
            {
                case "Conv":
                case "MaxPool":
                case "AveragePool":
                    if (sources.Count != 1 || node.Input[0] != sources[0]) throw Unsupported(node, "its weights depend on the image");
                    var (layerH, layerW) = Window(node, initializers);
                    var from = reach[sources[0]];
                    result = (layerH.Apply(from.H), layerW.Apply(from.W), [.. from.Chain, new Layer(layerH, layerW)]);
                    break;
                default:
                    if (!GridPreserving.Contains(node.OpType)) throw Unsupported(node, "it is not a convolution, a pooling or an element-wise op");
                    if (node.OpType == "Concat" && Attribute(node, "axis")?.I is not 1) throw Unsupported(node, "it concatenates along a spatial axis");
                    if (node.OpType == "Softmax" && Attribute(node, "axis")?.I is not 1) throw Unsupported(node, "it normalizes along a spatial axis");
                    if (node.OpType == "Gather" && Attribute(node, "axis")?.I is not 1) throw Unsupported(node, "it gathers along a spatial axis");
                    var first = reach[sources[0]];
                    var (h, w) = (first.H, first.W);
                    foreach (var other in sources.Skip(1).Select(s => reach[s]))
                    {
                        if (other.H.Jump != h.Jump || other.W.Jump != w.Jump) throw Unsupported(node, "it combines feature maps of different strides");
                        h = new AxisReach(h.Jump, Math.Min(h.Low, other.H.Low), Math.Max(h.High, other.H.High));
                        w = new AxisReach(w.Jump, Math.Min(w.Low, other.W.Low), Math.Max(w.High, other.W.High));
                    }
                    result = (h, w, first.Chain);
                    break;
            }
            foreach (var output in node.Output.Where(o => o.Length > 0)) reach[output] = result;
        }
        var taps = new Dictionary<string, (AxisReach, AxisReach)>(StringComparer.Ordinal);
        var chains = new Dictionary<string, Layer[]>(StringComparer.Ordinal);
        foreach (var output in graph.Output)
        {
            if (!reach.TryGetValue(output.Name, out var r)) continue;
            taps[output.Name] = (r.H, r.W);
            chains[output.Name] = r.Chain;
        }
        return new FeatureGeometry(taps, chains);
    }

    private static (LayerAxis H, LayerAxis W) Window(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        if (Attribute(node, "auto_pad")?.S.ToStringUtf8() is { Length: > 0 } autoPad && autoPad != "NOTSET")
        {
            throw Unsupported(node, $"auto_pad {autoPad} (the compiler writes explicit pads)");
        }
        long[] kernel;
        if (Attribute(node, "kernel_shape") is { } shape) kernel = shape.Ints.ToArray();
        else if (node.OpType == "Conv" && node.Input.Count > 1 && initializers.TryGetValue(node.Input[1], out var weights)) kernel = weights.Dims.Skip(2).ToArray();
        else throw Unsupported(node, "it has no kernel shape");
        if (kernel.Length != 2) throw Unsupported(node, "it is not two-dimensional");
        var strides = Attribute(node, "strides")?.Ints.ToArray() ?? [1, 1];
        var dilations = Attribute(node, "dilations")?.Ints.ToArray() ?? [1, 1];
        var pads = Attribute(node, "pads")?.Ints.ToArray() ?? [0, 0, 0, 0];
        var ceil = Attribute(node, "ceil_mode")?.I == 1;
        return (new LayerAxis((int)kernel[0], (int)strides[0], (int)dilations[0], (int)pads[0], (int)pads[2], ceil),
                new LayerAxis((int)kernel[1], (int)strides[1], (int)dilations[1], (int)pads[1], (int)pads[3], ceil));
    }

    private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static NotSupportedException Unsupported(NodeProto node, string why) =>
        new($"Exact tiling cannot follow node '{node.Name}' ({node.OpType}): {why}.");

    /// <summary>One window op along one axis.</summary>
    private readonly record struct LayerAxis(int Kernel, int Stride, int Dilation, int PadBegin, int PadEnd, bool Ceil)
    {
        private int Extent => Dilation * (Kernel - 1);

        /// <summary>Output q reads inputs <c>[q*s - pb, q*s - pb + d(k-1)]</c>.</summary>
        public AxisReach Apply(AxisReach input) => new(
            input.Jump * Stride,
            input.Low - PadBegin * input.Jump,
            input.High + (Extent - PadBegin) * input.Jump);

        public int Output(int length)
        {
            var span = length + PadBegin + PadEnd - Extent - 1;
            return (Ceil ? (span + Stride - 1) / Stride : span / Stride) + 1;
        }
    }

    private readonly record struct Layer(LayerAxis H, LayerAxis W);
}
