using NeuralArt.Graphs.Onnx;
using Onnx;

namespace NeuralArt.Graphs.Compilation;

/// <summary>
/// Splits a compiled gradient graph at its first max-pool into three standard ONNX graphs
/// (<see cref="PoolSplitModels"/>), so that the pool and its backward (<c>MaxPool</c> with indices
/// and <c>ScatterElements</c> add, which ONNX Runtime's CPU provider runs on one thread) can run
/// elsewhere between them. Each part is the slice of the one graph's nodes its outputs need, with
/// the cut tensors renamed to <see cref="PoolSplitNames"/>; nothing is rewritten, so each part
/// computes exactly what the one graph computes. If the backward of the pre-pool part needed a
/// pre-pool activation, the back graph would recompute it from the image (it then has an
/// <c>image</c> input); ResNet's pre-pool part is a linear convolution and needs none.
/// </summary>
public static class PoolSplitter
{
    /// <summary>Bumped when the split changes (part of the split files' names).</summary>
    public const int Version = 1;

    private const int SpatialRank = 2;

    /// <summary>The split, or null when the graph has no max-pool it can cut at (then run it whole).</summary>
    public static PoolSplitModels? TrySplit(ModelProto compiled)
    {
        ArgumentNullException.ThrowIfNull(compiled);
        var g = compiled.Graph;
        var nodes = g.Node.ToList();
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var n in nodes)
        {
            foreach (var o in n.Output) if (o.Length > 0) producers[o] = n;
        }
        var pool = nodes.FirstOrDefault(n => n.OpType == "MaxPool" && n.Output.Count == 2);
        if (pool is null || Geometry(pool) is not { } geometry) return null;
        var x = pool.Input[0];
        var (y, indices) = (pool.Output[0], pool.Output[1]);
        if (!producers.ContainsKey(x)) return null;

        // The backward the MaxPool rule wrote: Reshape(indices) and Reshape(dy) into ScatterElements, then Reshape.
        var indexReshape = nodes.Where(n => n.OpType == "Reshape" && n.Input[0] == indices).ToList();
        if (indexReshape.Count != 1) return null;
        var scatter = nodes.Where(n => n.OpType == "ScatterElements" && n.Input.Count == 3 && n.Input[1] == indexReshape[0].Output[0]).ToList();
        if (scatter.Count != 1) return null;
        if (!producers.TryGetValue(scatter[0].Input[2], out var updates) || updates.OpType != "Reshape") return null;
        var dy = updates.Input[0];
        if (!producers.ContainsKey(dy)) return null;
        var back = nodes.Where(n => n.OpType == "Reshape" && n.Input[0] == scatter[0].Output[0]).ToList();
        if (back.Count != 1) return null;
        var dx = back[0].Output[0];

        var gradOutput = g.Output.FirstOrDefault(o => o.Name == GraphNames.Grad);
        if (gradOutput is null) return null;
        var channels = ChannelsOf(x, producers, g);
        var renames = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [x] = PoolSplitNames.PoolInput,
            [y] = PoolSplitNames.PoolOutput,
            [dy] = PoolSplitNames.PoolOutputGrad,
            [dx] = PoolSplitNames.PoolInputGrad,
        };
        // Slices may not run the pool or its backward: reaching them means the cut does not separate the graph.
        HashSet<NodeProto> forbidden = new(ReferenceEqualityComparer.Instance) { pool, indexReshape[0], scatter[0], updates, back[0] };

        var pre = Slice(compiled, nodes, producers, forbidden, renames, cuts: [],
            outputs: [ValueInfos.Float(x, PoolDims(channels, "pool_h", "pool_w"))], "pre");
        var rest = Slice(compiled, nodes, producers, forbidden, renames,
            cuts: [ValueInfos.Float(y, PoolDims(channels, "pooled_h", "pooled_w"))],
            outputs: [.. g.Output.Where(o => o.Name != GraphNames.Grad), ValueInfos.Float(dy, PoolDims(channels, "pooled_h", "pooled_w"))], "rest");
        var backModel = Slice(compiled, nodes, producers, forbidden, renames,
            cuts: [ValueInfos.Float(dx, PoolDims(channels, "pool_h", "pool_w"))], outputs: [gradOutput], "back");
        if (pre is null || rest is null || backModel is null) return null;
        pre.MetadataProps.Add(new StringStringEntryProto { Key = PoolSplitNames.GeometryMetadataKey, Value = geometry.Format() });
        return new PoolSplitModels(pre, rest, backModel, geometry);
    }

    /// <summary>The pool's window when it is one this split supports: 2-D, no dilation, explicit pads, row-major indices.</summary>
    private static MaxPoolGeometry? Geometry(NodeProto pool)
    {
        var kernel = pool.GetInts("kernel_shape");
        if (kernel is not { Length: SpatialRank }) return null;
        var strides = pool.GetInts("strides") ?? [1, 1];
        var pads = pool.GetInts("pads") ?? new long[SpatialRank * 2];
        var dilations = pool.GetInts("dilations");
        var autoPad = pool.GetString("auto_pad");
        if (strides.Length != SpatialRank || pads.Length != SpatialRank * 2) return null;
        if (dilations is not null && dilations.Any(d => d != 1)) return null;
        if (autoPad is not (null or "" or "NOTSET")) return null;
        if (pool.GetInt("storage_order", 0) != 0) return null;
        // A window wholly in the padding would have no maximum: ONNX Runtime rejects such pads too.
        if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] || pads[3] >= kernel[1]) return null;
        return new MaxPoolGeometry((int)kernel[0], (int)kernel[1], (int)strides[0], (int)strides[1],
            (int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3], pool.GetInt("ceil_mode", 0) != 0);
    }

    /// <summary>The pool input's channels when a Conv with constant weights makes it (for the declared shapes), else null.</summary>
    private static long? ChannelsOf(string x, Dictionary<string, NodeProto> producers, GraphProto g)
    {
        if (producers.TryGetValue(x, out var conv) && conv.OpType == "Conv" && conv.Input.Count > 1)
        {
            var weight = g.Initializer.FirstOrDefault(t => t.Name == conv.Input[1]);
            if (weight is { Dims.Count: > 0 }) return weight.Dims[0];
        }
        return null;
    }

    private static TensorShapeProto.Types.Dimension[] PoolDims(long? channels, string h, string w) =>
        [ValueInfos.Dim(1), channels is { } c ? ValueInfos.Dim(c) : ValueInfos.Dim("pool_c"), ValueInfos.Dim(h), ValueInfos.Dim(w)];

    /// <summary>
    /// The nodes the outputs need, in the one graph's order, reading the cut tensors as inputs and
    /// the one graph's inputs where needed; null when a forbidden node is needed.
    /// </summary>
    private static ModelProto? Slice(ModelProto compiled, List<NodeProto> nodes, Dictionary<string, NodeProto> producers,
        HashSet<NodeProto> forbidden, Dictionary<string, string> renames, List<ValueInfoProto> cuts, List<ValueInfoProto> outputs, string part)
    {
        var g = compiled.Graph;
        var cutNames = cuts.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var graphInputs = g.Input.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var initializers = g.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var included = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        var usedInputs = new HashSet<string>(StringComparer.Ordinal);
        var usedInitializers = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(outputs.Select(o => o.Name));
        while (pending.Count > 0)
        {
            var tensor = pending.Pop();
            if (tensor.Length == 0 || !seen.Add(tensor) || cutNames.Contains(tensor)) continue;
            if (initializers.ContainsKey(tensor)) { usedInitializers.Add(tensor); continue; }
            if (producers.TryGetValue(tensor, out var node))
            {
                if (forbidden.Contains(node)) return null;
                if (included.Add(node)) foreach (var i in node.Input) pending.Push(i);
                continue;
            }
            if (graphInputs.ContainsKey(tensor)) { usedInputs.Add(tensor); continue; }
            throw new GraphCompilationException($"Splitting the graph at its max-pool: tensor '{tensor}' has no producer.");
        }

        var graph = new GraphProto { Name = $"{g.Name}:pool-{part}" };
        foreach (var node in nodes.Where(included.Contains))
        {
            var copy = node.Clone();
            Rename(copy.Input, renames);
            Rename(copy.Output, renames);
            graph.Node.Add(copy);
        }
        graph.Input.AddRange(g.Input.Where(i => usedInputs.Contains(i.Name)).Select(i => i.Clone()));
        graph.Input.AddRange(cuts.Select(c => Renamed(c, renames)));
        graph.Output.AddRange(outputs.Select(o => Renamed(o, renames)));
        graph.Initializer.AddRange(g.Initializer.Where(t => usedInitializers.Contains(t.Name)).Select(t => t.Clone()));
        var model = new ModelProto
        {
            IrVersion = compiled.IrVersion,
            ProducerName = compiled.ProducerName,
            ProducerVersion = compiled.ProducerVersion,
            Graph = graph,
        };
        model.OpsetImport.AddRange(compiled.OpsetImport.Select(o => o.Clone()));
        return model;
    }

    private static void Rename(Google.Protobuf.Collections.RepeatedField<string> names, Dictionary<string, string> renames)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (renames.TryGetValue(names[i], out var renamed)) names[i] = renamed;
        }
    }

    private static ValueInfoProto Renamed(ValueInfoProto value, Dictionary<string, string> renames)
    {
        var copy = value.Clone();
        if (renames.TryGetValue(copy.Name, out var renamed)) copy.Name = renamed;
        return copy;
    }
}
