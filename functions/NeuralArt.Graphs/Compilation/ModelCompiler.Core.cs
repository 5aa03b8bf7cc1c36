using Onnx;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Onnx;
using NeuralArt.Graphs.Surgery;

namespace NeuralArt.Graphs.Compilation;

public static partial class ModelCompiler
{
    internal const long OutputIrVersion = 8;

    /// <summary>
    /// The forward network (surgery, preprocessing folded in), then the objective's own part: each
    /// objective declares its taps and writes its inputs, terms, backward seeds and outputs
    /// (<see cref="Objective.Emit"/>), as each op's backward rule does in its table.
    /// </summary>
    private static ModelProto CompileCore(ModelProto backbone, BackboneManifest manifest, Objective objective)
    {
        var tapNames = objective.TapNames;
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
        if (objective.NeedsGradient) AddMaxPoolIndices(graph, builder);
        builder.Nodes.AddRange(graph.Nodes);

        var emitter = new ObjectiveEmitter(builder, graph, tapTensors, channels, preprocessing);
        objective.Emit(emitter);
        return Assemble(builder, manifest, objective, emitter.Inputs, emitter.Outputs);
    }

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
}
