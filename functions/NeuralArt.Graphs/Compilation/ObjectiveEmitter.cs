using Onnx;
using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Onnx;
using NeuralArt.Graphs.Surgery;

namespace NeuralArt.Graphs.Compilation;

/// <summary>
/// What an objective writes its part of a compiled graph with (<see cref="Objectives.Objective.Emit"/>):
/// the forward network already in the builder, its tap tensors and channel counts, the graph's
/// inputs and outputs to declare, the backward pass for objectives with a gradient, and the
/// preprocessing's backward that turns the backbone-input gradient into the image's.
/// </summary>
internal sealed class ObjectiveEmitter
{
    private readonly BackboneGraph _graph;
    private readonly IReadOnlyDictionary<string, string> _tapTensors;
    private readonly IReadOnlyDictionary<string, long> _channels;
    private readonly Preprocessing _preprocessing;
    private BackwardPass? _backward;

    public ObjectiveEmitter(GraphBuilder builder, BackboneGraph graph, IReadOnlyDictionary<string, string> tapTensors,
        IReadOnlyDictionary<string, long> channels, Preprocessing preprocessing)
    {
        Builder = builder;
        _graph = graph;
        _tapTensors = tapTensors;
        _channels = channels;
        _preprocessing = preprocessing;
        Inputs.Add(ImageValue(GraphNames.Image));
    }

    public GraphBuilder Builder { get; }

    /// <summary>Graph inputs, the image first.</summary>
    public List<ValueInfoProto> Inputs { get; } = [];

    public List<ValueInfoProto> Outputs { get; } = [];

    /// <summary>The backbone tensor a tap reads.</summary>
    public string Tensor(string tap) => _tapTensors[tap];

    /// <summary>A tap's channel count (0 where it is not known statically).</summary>
    public long ChannelsOf(string tap) => _channels.GetValueOrDefault(_tapTensors[tap]);

    /// <summary>Names of every tensor the forward network computes.</summary>
    public IReadOnlySet<string> ForwardTensors => new HashSet<string>(_graph.Nodes.SelectMany(n => n.Output), StringComparer.Ordinal);

    /// <summary>The reverse-mode pass objectives seed their gradients into (one per graph).</summary>
    public BackwardPass Backward => _backward ??= new BackwardPass(Builder, _graph);

    /// <summary>Runs the backward pass and writes the image's gradient as <paramref name="output"/>.</summary>
    public void EmitImageGradient(string output) => _preprocessing.EmitBackward(Builder, Backward.Run(), output);

    /// <summary>
    /// The dream objectives' interface: <c>loss</c> (the sum of <paramref name="terms"/>) and
    /// <c>grad</c> (its gradient with respect to the image).
    /// </summary>
    public void EmitLossAndGradient(IReadOnlyList<string> terms)
    {
        Builder.AddNamed("Identity", [Builder.Sum(terms, "loss_sum")], GraphNames.Loss);
        EmitImageGradient(GraphNames.Grad);
        Outputs.Add(ScalarValue(GraphNames.Loss));
        Outputs.Add(ImageValue(GraphNames.Grad));
    }

    /// <summary>Sums terms into a tensor of the given name (zero when there are none).</summary>
    public string NamedSum(List<string> terms, string name) => terms.Count == 0
        ? Builder.AddNamed("Identity", [Builder.Scalar(0f, "zero")], name)
        : Builder.AddNamed(terms.Count == 1 ? "Identity" : "Sum", terms, name);

    /// <summary>The tiled style graphs' <c>crop.{tap}</c> int64 [4] inputs.</summary>
    public void AddCropInputs(IEnumerable<string> taps)
    {
        foreach (var tap in taps.Distinct())
        {
            var value = TensorValue(StyleTileNames.Crop(tap), Dim(4));
            value.Type.TensorType.ElemType = Tensors.Int64Type;
            Inputs.Add(value);
        }
    }

    public static ValueInfoProto ImageValue(string name) => TensorValue(name, Dim(1), Dim(3), Dim("H"), Dim("W"));

    /// <summary>[1, C, h, w] features, C fixed where known.</summary>
    public static ValueInfoProto FeatureValue(string name, long channels) =>
        TensorValue(name, Dim(1), channels > 0 ? Dim(channels) : Dim(name + "_C"), Dim(name + "_H"), Dim(name + "_W"));

    /// <summary>A dream channel mask [1, C, 1, 1]; C dynamic where the compiler cannot infer it (then only an all-channel [1,1,1,1] mask fits).</summary>
    public static ValueInfoProto MaskValue(string name, long channels) =>
        TensorValue(name, Dim(1), channels > 0 ? Dim(channels) : Dim(name + "_C"), Dim(1), Dim(1));

    /// <summary>The number of regions (style images with masks) of a masked style objective: dynamic.</summary>
    public const string RegionsDim = "regions";

    /// <summary>Region masks [K, 1, h, w] at a tap's size.</summary>
    public static ValueInfoProto RegionMaskValue(string name) => TensorValue(name, Dim(RegionsDim), Dim(1), Dim(name + "_H"), Dim(name + "_W"));

    /// <summary>One [C, C] Gram per region: [K, C, C].</summary>
    public static ValueInfoProto RegionGramValue(string name, long channels) => TensorValue(name, Dim(RegionsDim), Dim(channels), Dim(channels));

    /// <summary>One value per region: [K].</summary>
    public static ValueInfoProto RegionScalarValue(string name) => TensorValue(name, Dim(RegionsDim));

    /// <summary>A [C, C] Gram matrix (its side fixed where known).</summary>
    public static ValueInfoProto GramValue(string name, long channels) => TensorValue(name, Dim(channels), Dim(channels));

    public static ValueInfoProto ScalarValue(string name) => TensorValue(name);

    private static ValueInfoProto TensorValue(string name, params TensorShapeProto.Types.Dimension[] dims) => ValueInfos.Float(name, dims);

    private static TensorShapeProto.Types.Dimension Dim(long value) => ValueInfos.Dim(value);

    private static TensorShapeProto.Types.Dimension Dim(string param) => ValueInfos.Dim(param);
}
