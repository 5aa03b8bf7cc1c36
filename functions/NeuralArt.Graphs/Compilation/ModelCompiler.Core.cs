using Onnx;
using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Onnx;
using NeuralArt.Graphs.Surgery;

namespace NeuralArt.Graphs.Compilation;

public static partial class ModelCompiler
{
    internal const long OutputIrVersion = 8;

    private static ModelProto CompileCore(ModelProto backbone, BackboneManifest manifest, Objective objective)
    {
        var tapNames = TapsOf(objective);
        if (tapNames.Count == 0) throw new GraphCompilationException("The objective names no taps.");
        var tapTensors = tapNames.Distinct().ToDictionary(t => t, manifest.ResolveTap, StringComparer.Ordinal);

        var graph = ForwardSurgery.Prepare(backbone, manifest, tapTensors.Values.ToList());
        var channels = ChannelInference.Infer(graph);

        var builder = new GraphBuilder();
        builder.Reserve(graph.Initializers.Keys);
        builder.Reserve(graph.Nodes.SelectMany(n => n.Input.Concat(n.Output)));
        builder.Reserve([GraphNames.Image, GraphNames.Loss, GraphNames.Grad, .. tapNames,
            .. tapNames.Select(DreamGraphNames.Weight), .. tapNames.Select(DreamGraphNames.ChannelMask)]);
        foreach (var (name, tensor) in graph.Initializers) builder.Initializers[name] = tensor;

        var preprocessing = Preprocessing.Emit(builder, manifest.Preprocessing, graph.Input);
        var needsGradient = objective is not (FeaturesObjective or StyleTargetsObjective or StyleTileTargetsObjective);
        if (needsGradient) AddMaxPoolIndices(graph, builder);
        builder.Nodes.AddRange(graph.Nodes);

        var inputs = new List<ValueInfoProto> { ImageInput() };
        var outputs = new List<ValueInfoProto>();
        if (objective is StyleTargetsObjective targets)
        {
            foreach (var tap in targets.StyleTaps.Distinct())
            {
                var c = channels.GetValueOrDefault(tapTensors[tap]);
                var gram = StyleLoss.EmitGram(builder, tapTensors[tap], tap, targets.Smoothing).Gram;
                outputs.Add(TensorValue(builder.AddNamed("Identity", [gram], StyleGraphNames.StyleTarget(tap)), Dim(c), Dim(c)));
            }
            foreach (var tap in targets.ContentTaps.Distinct())
            {
                builder.AddNamed("Identity", [tapTensors[tap]], StyleGraphNames.ContentTarget(tap));
                outputs.Add(FeatureValue(StyleGraphNames.ContentTarget(tap), channels.GetValueOrDefault(tapTensors[tap])));
            }
        }
        else if (objective is StyleObjective style)
        {
            var backward = new BackwardPass(builder, graph);
            var styleTerms = new List<string>();
            foreach (var tap in style.StyleTaps.Distinct())
            {
                var c = channels.GetValueOrDefault(tapTensors[tap]);
                if (style.Masked)
                {
                    inputs.Add(TensorValue(StyleGraphNames.StyleTarget(tap), Dim(RegionsDim), Dim(c), Dim(c)));
                    inputs.Add(TensorValue(StyleGraphNames.StyleWeight(tap), Dim(RegionsDim)));
                    inputs.Add(MaskValue(StyleGraphNames.StyleMask(tap)));
                    styleTerms.Add(MaskedStyleLoss.EmitStyle(builder, backward, tapTensors[tap], tap, style.Smoothing));
                    continue;
                }
                inputs.Add(TensorValue(StyleGraphNames.StyleTarget(tap), Dim(c), Dim(c)));
                inputs.Add(ScalarValue(StyleGraphNames.StyleWeight(tap)));
                styleTerms.Add(StyleLoss.EmitStyle(builder, backward, tapTensors[tap], tap, style.Smoothing));
            }
            var contentTerms = new List<string>();
            foreach (var tap in style.ContentTaps.Distinct())
            {
                inputs.Add(FeatureValue(StyleGraphNames.ContentTarget(tap), channels.GetValueOrDefault(tapTensors[tap])));
                inputs.Add(ScalarValue(StyleGraphNames.ContentWeight(tap)));
                contentTerms.Add(StyleLoss.EmitContent(builder, backward, tapTensors[tap], tap));
            }
            inputs.Add(ScalarValue(StyleGraphNames.TvWeight));
            var (tvTerm, tvGrad) = StyleLoss.EmitTotalVariation(builder);
            var styleLoss = NamedSum(builder, styleTerms, StyleGraphNames.StyleLoss);
            var contentLoss = NamedSum(builder, contentTerms, StyleGraphNames.ContentLoss);
            builder.AddNamed("Identity", [tvTerm], StyleGraphNames.TvLoss);
            builder.AddNamed("Sum", [styleLoss, contentLoss, StyleGraphNames.TvLoss], GraphNames.Loss);
            var networkGrad = builder.Fresh("network_grad");
            preprocessing.EmitBackward(builder, backward.Run(), networkGrad);
            builder.AddNamed("Add", [networkGrad, tvGrad], GraphNames.Grad);
            outputs.Add(ScalarValue(GraphNames.Loss));
            outputs.Add(ImageValue(GraphNames.Grad));
            outputs.Add(ScalarValue(StyleGraphNames.StyleLoss));
            outputs.Add(ScalarValue(StyleGraphNames.ContentLoss));
            outputs.Add(ScalarValue(StyleGraphNames.TvLoss));
        }
        else if (objective is StyleTileTargetsObjective tileTargets)
        {
            AddCropInputs(inputs, [.. tileTargets.StyleTaps, .. tileTargets.ContentTaps]);
            foreach (var tap in tileTargets.StyleTaps.Distinct())
            {
                var c = channels.GetValueOrDefault(tapTensors[tap]);
                if (tileTargets.Masked)
                {
                    inputs.Add(MaskValue(StyleGraphNames.StyleMask(tap)));
                    var grams = MaskedStyleLoss.PartialGram(builder, tapTensors[tap], tap, tileTargets.Smoothing);
                    outputs.Add(TensorValue(builder.AddNamed("Identity", [grams], StyleTileNames.PartialGram(tap)), Dim(RegionsDim), Dim(c), Dim(c)));
                    continue;
                }
                var gram = StyleTileLoss.PartialGram(builder, tapTensors[tap], tap, tileTargets.Smoothing);
                outputs.Add(TensorValue(builder.AddNamed("Identity", [gram], StyleTileNames.PartialGram(tap)), Dim(c), Dim(c)));
            }
            foreach (var tap in tileTargets.ContentTaps.Distinct())
            {
                builder.AddNamed("Identity", [StyleTileLoss.Crop(builder, tapTensors[tap], tap)], StyleTileNames.CropFeatures(tap));
                outputs.Add(FeatureValue(StyleTileNames.CropFeatures(tap), channels.GetValueOrDefault(tapTensors[tap])));
            }
        }
        else if (objective is StyleTileObjective tile)
        {
            AddCropInputs(inputs, [.. tile.StyleTaps, .. tile.ContentTaps]);
            var backward = new BackwardPass(builder, graph);
            foreach (var tap in tile.StyleTaps.Distinct())
            {
                var c = channels.GetValueOrDefault(tapTensors[tap]);
                if (tile.Masked)
                {
                    inputs.Add(TensorValue(StyleTileNames.StyleResidual(tap), Dim(RegionsDim), Dim(c), Dim(c)));
                    inputs.Add(TensorValue(StyleTileNames.StyleScale(tap), Dim(RegionsDim)));
                    inputs.Add(MaskValue(StyleGraphNames.StyleMask(tap)));
                    MaskedStyleLoss.SeedStyle(builder, backward, tapTensors[tap], tap, tile.Smoothing);
                    continue;
                }
                inputs.Add(TensorValue(StyleTileNames.StyleResidual(tap), Dim(c), Dim(c)));
                inputs.Add(ScalarValue(StyleTileNames.StyleScale(tap)));
                StyleTileLoss.SeedStyle(builder, backward, tapTensors[tap], tap, tile.Smoothing);
            }
            foreach (var tap in tile.ContentTaps.Distinct())
            {
                inputs.Add(FeatureValue(StyleGraphNames.ContentTarget(tap), channels.GetValueOrDefault(tapTensors[tap])));
                inputs.Add(ScalarValue(StyleTileNames.ContentScale(tap)));
                var squares = StyleTileLoss.SeedContent(builder, backward, tapTensors[tap], tap);
                outputs.Add(ScalarValue(builder.AddNamed("Identity", [squares], StyleTileNames.ContentSquares(tap))));
            }
            preprocessing.EmitBackward(builder, backward.Run(), GraphNames.Grad);
            outputs.Insert(0, ImageValue(GraphNames.Grad));
        }
        else if (objective is FeaturesObjective)
        {
            foreach (var tap in tapNames.Distinct())
            {
                builder.AddNamed("Identity", [tapTensors[tap]], tap);
                outputs.Add(FeatureValue(tap, channels.GetValueOrDefault(tapTensors[tap])));
            }
        }
        else
        {
            var backward = new BackwardPass(builder, graph);
            var terms = new List<string>();
            switch (objective)
            {
                case DreamObjective dream:
                    foreach (var tap in dream.Taps)
                    {
                        var tensor = tapTensors[tap];
                        // A static channel count tells feeders the mask's length; where inference
                        // cannot find it the dimension stays dynamic (only an all-channel mask then).
                        var c = channels.GetValueOrDefault(tensor);
                        var mask = DreamGraphNames.ChannelMask(tap);
                        inputs.Add(ScalarValue(DreamGraphNames.Weight(tap)));
                        inputs.Add(TensorValue(mask, Dim(1), c > 0 ? Dim(c) : Dim(mask + "_C"), Dim(1), Dim(1)));
                        terms.Add(DreamLoss.Emit(builder, backward, tensor, DreamGraphNames.Weight(tap), mask));
                    }
                    break;
                case GuidedDreamObjective guided:
                    foreach (var tap in guided.Taps)
                    {
                        var guideName = GraphNames.GuidePrefix + tap;
                        inputs.Add(FeatureValue(guideName, channels.GetValueOrDefault(tapTensors[tap])));
                        inputs.Add(ScalarValue(DreamGraphNames.Weight(tap)));
                        terms.Add(GuidedDreamLoss.Emit(builder, backward, tapTensors[tap], guideName, DreamGraphNames.Weight(tap)));
                    }
                    break;
                default:
                    throw new GraphCompilationException($"Unknown objective {objective.GetType().Name}.");
            }
            builder.AddNamed("Identity", [builder.Sum(terms, "loss_sum")], GraphNames.Loss);
            preprocessing.EmitBackward(builder, backward.Run(), GraphNames.Grad);
            outputs.Add(ScalarValue(GraphNames.Loss));
            outputs.Add(ImageValue(GraphNames.Grad));
        }
        return Assemble(builder, manifest, objective, inputs, outputs);
    }

    private static IReadOnlyList<string> TapsOf(Objective objective) => objective switch
    {
        DreamObjective d => d.Taps,
        GuidedDreamObjective g => g.Taps,
        FeaturesObjective f => f.Taps,
        StyleObjective s => [.. s.StyleTaps, .. s.ContentTaps],
        StyleTargetsObjective s => [.. s.StyleTaps, .. s.ContentTaps],
        StyleTileTargetsObjective s => [.. s.StyleTaps, .. s.ContentTaps],
        StyleTileObjective s => [.. s.StyleTaps, .. s.ContentTaps],
        _ => throw new GraphCompilationException($"Unknown objective {objective.GetType().Name}."),
    };

    /// <summary>MaxPool backward scatters through the forward's argmax indices: ask the forward for them.</summary>
    private static void AddMaxPoolIndices(BackboneGraph graph, GraphBuilder builder)
    {
        foreach (var node in graph.Nodes.Where(n => n.OpType == "MaxPool" && n.Output.Count == 1))
        {
            node.Output.Add(builder.Fresh(node.Output[0] + "_indices"));
        }
    }

    private static ModelProto Assemble(GraphBuilder builder, BackboneManifest manifest, Objective objective,
        List<ValueInfoProto> inputs, List<ValueInfoProto> outputs)
    {
        var graph = new GraphProto { Name = $"{manifest.Name}:{objective.CacheKey}" };
        graph.Node.AddRange(builder.Nodes);
        var used = new HashSet<string>(builder.Nodes.SelectMany(n => n.Input), StringComparer.Ordinal);
        graph.Initializer.AddRange(builder.Initializers.Values.Where(t => used.Contains(t.Name)));
        graph.Input.AddRange(inputs);
        graph.Output.AddRange(outputs);
        var model = new ModelProto
        {
            IrVersion = OutputIrVersion,
            ProducerName = "NeuralArt.Graphs",
            ProducerVersion = Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = TargetOpset });
        return model;
    }

    private static void AddCropInputs(List<ValueInfoProto> inputs, IEnumerable<string> taps)
    {
        foreach (var tap in taps.Distinct())
        {
            var value = TensorValue(StyleTileNames.Crop(tap), Dim(4));
            value.Type.TensorType.ElemType = Tensors.Int64Type;
            inputs.Add(value);
        }
    }

    /// <summary>Sums terms into a tensor of the given name (zero when there are none).</summary>
    private static string NamedSum(GraphBuilder builder, List<string> terms, string name) => terms.Count == 0
        ? builder.AddNamed("Identity", [builder.Scalar(0f, "zero")], name)
        : builder.AddNamed(terms.Count == 1 ? "Identity" : "Sum", terms, name);

    /// <summary>The number of regions of a masked style objective (dynamic: any number of styles).</summary>
    private const string RegionsDim = "regions";

    private static ValueInfoProto ImageInput() => ImageValue(GraphNames.Image);

    private static ValueInfoProto MaskValue(string name) => TensorValue(name, Dim(RegionsDim), Dim(1), Dim(name + "_H"), Dim(name + "_W"));

    private static ValueInfoProto ImageValue(string name) => TensorValue(name, Dim(1), Dim(3), Dim("H"), Dim("W"));

    private static ValueInfoProto FeatureValue(string name, long channels) =>
        TensorValue(name, Dim(1), channels > 0 ? Dim(channels) : Dim(name + "_C"), Dim(name + "_H"), Dim(name + "_W"));

    private static ValueInfoProto ScalarValue(string name) => TensorValue(name);

    private static ValueInfoProto TensorValue(string name, params TensorShapeProto.Types.Dimension[] dims) => ValueInfos.Float(name, dims);

    private static TensorShapeProto.Types.Dimension Dim(long value) => ValueInfos.Dim(value);
    private static TensorShapeProto.Types.Dimension Dim(string param) => ValueInfos.Dim(param);
}
