using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using Onnx;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>
/// The dream graph split at its first max-pool (<see cref="PoolSplitter"/>): the three parts, run on
/// ONNX Runtime with the pool and its backward between them (here as ONNX Runtime's own MaxPool and
/// ScatterElements, as in the one graph), give the one graph's loss and gradient bit for bit, for
/// every test network with a max-pool at every test size. The one graph's gradients are checked
/// against float64 finite differences elsewhere (<see cref="DreamGradientTests"/>), so equal bits
/// carry that check over to the split.
/// </summary>
public sealed class PoolSplitterTests(ITestOutputHelper output)
{
    private const float TapWeight = 1.5f;
    private const long Opset = 17;

    public static TheoryData<string, int, int> PoolNetworksAllSizes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var name in TestNetworks.Names.Where(n => HasMaxPool(TestNetworks.Get(n))))
        {
            foreach (var (h, w) in TestNetworks.Get(name).Sizes) data.Add(name, h, w);
        }
        return data;
    }

    private static bool HasMaxPool(TestNetwork network) => network.Model.Graph.Node.Any(n => n.OpType == "MaxPool");

    [Theory]
    [MemberData(nameof(PoolNetworksAllSizes))]
    public void Split_parts_with_the_pool_between_equal_the_one_graph_bit_for_bit(string name, int h, int w)
    {
        var network = TestNetworks.Get(name);
        var parameters = new DreamParameters([new TapWeight(network.DreamTap, TapWeight)]);
        var compiled = CompiledModels.Get(network, parameters.Objective());
        var split = PoolSplitter.TrySplit(compiled.Model);
        if (name.StartsWith("maxpool-", StringComparison.Ordinal)) Assert.NotNull(split);
        if (split is null)
        {
            output.WriteLine($"{name}: not split (its first max-pool does not separate the graph)");
            return;
        }

        var (image, _) = TestImages.Random(h, w, seed: h * 1000 + w);
        var feeds = DreamCheck.Feeds(compiled.Runner, parameters);
        feeds[GraphNames.Image] = TestImages.Tensor(image, h, w);
        var whole = compiled.Runner.Run(feeds, [GraphNames.Loss, GraphNames.Grad]);

        using var pre = new OrtRunner(split.Pre);
        using var rest = new OrtRunner(split.Rest);
        using var back = new OrtRunner(split.Back);
        using var poolForward = new OrtRunner(PoolForward(split.Pool));
        using var poolBackward = new OrtRunner(PoolBackward(split.Pool));
        var x = pre.Run(GraphNames.Image, feeds[GraphNames.Image])[PoolSplitNames.PoolInput];
        var y = poolForward.Run("x", x)["y"];
        var restFeeds = Only(rest, feeds);
        restFeeds[PoolSplitNames.PoolOutput] = y;
        var restOut = rest.Run(restFeeds);
        var dx = poolBackward.Run(new Dictionary<string, OrtTensor> { ["x"] = x, ["dy"] = restOut[PoolSplitNames.PoolOutputGrad] })["dx"];
        var backFeeds = Only(back, feeds);
        backFeeds[PoolSplitNames.PoolInputGrad] = dx;
        var grad = back.Run(backFeeds)[GraphNames.Grad];

        output.WriteLine($"{name} {h}x{w}: pool {split.Pool.Format()}, pool input [{string.Join(",", x.Shape)}], " +
            $"parts {split.Pre.Graph.Node.Count}/{split.Rest.Graph.Node.Count}/{split.Back.Graph.Node.Count} nodes");
        Assert.Equal(whole[GraphNames.Loss].Data, restOut[GraphNames.Loss].Data);
        Assert.Equal(whole[GraphNames.Grad].Shape, grad.Shape);
        Assert.Equal(whole[GraphNames.Grad].Data, grad.Data);
    }

    [Theory]
    [MemberData(nameof(PoolNetworksAllSizes))]
    public void The_parts_hold_no_pool_or_scatter_of_the_split_pool(string name, int h, int w)
    {
        _ = (h, w);
        var network = TestNetworks.Get(name);
        var compiled = CompiledModels.Get(network, new DreamParameters([new TapWeight(network.DreamTap, TapWeight)]).Objective());
        if (PoolSplitter.TrySplit(compiled.Model) is not { } split) return;
        var pools = compiled.Model.Graph.Node.Count(n => n.OpType == "MaxPool");
        var scatters = compiled.Model.Graph.Node.Count(n => n.OpType == "ScatterElements");
        ModelProto[] parts = [split.Pre, split.Rest, split.Back];
        // The one graph's other pools stay in the rest, each with its scatter.
        Assert.Equal(pools - 1, parts.Sum(p => p.Graph.Node.Count(n => n.OpType == "MaxPool")));
        Assert.Equal(scatters - 1, parts.Sum(p => p.Graph.Node.Count(n => n.OpType == "ScatterElements")));
        Assert.Equal([GraphNames.Image], split.Pre.Graph.Input.Select(i => i.Name));
        Assert.Equal([PoolSplitNames.PoolInput], split.Pre.Graph.Output.Select(o => o.Name));
        Assert.Contains(split.Pre.MetadataProps, e => e.Key == PoolSplitNames.GeometryMetadataKey && MaxPoolGeometry.Parse(e.Value) == split.Pool);
        Assert.Contains(PoolSplitNames.PoolOutput, split.Rest.Graph.Input.Select(i => i.Name));
        Assert.Equal([GraphNames.Loss, PoolSplitNames.PoolOutputGrad], split.Rest.Graph.Output.Select(o => o.Name));
        Assert.Contains(PoolSplitNames.PoolInputGrad, split.Back.Graph.Input.Select(i => i.Name));
        Assert.Equal([GraphNames.Grad], split.Back.Graph.Output.Select(o => o.Name));
    }

    [Fact]
    public void A_graph_without_a_max_pool_is_not_split()
    {
        var network = TestNetworks.Names.Select(TestNetworks.Get).First(n => !HasMaxPool(n));
        var compiled = CompiledModels.Get(network, new DreamParameters([new TapWeight(network.DreamTap, TapWeight)]).Objective());
        Assert.Null(PoolSplitter.TrySplit(compiled.Model));
    }

    [Fact]
    public void Geometry_round_trips_through_its_metadata_form()
    {
        var geometry = new MaxPoolGeometry(3, 2, 2, 1, 1, 0, 0, 1, CeilMode: true);
        Assert.Equal(geometry, MaxPoolGeometry.Parse(geometry.Format()));
    }

    private static Dictionary<string, OrtTensor> Only(OrtRunner runner, Dictionary<string, OrtTensor> feeds) =>
        feeds.Where(f => runner.InputMetadata.ContainsKey(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);

    /// <summary>ONNX Runtime's MaxPool alone: x to y.</summary>
    private static ModelProto PoolForward(MaxPoolGeometry pool)
    {
        var g = new GraphProto { Name = "pool-forward" };
        g.Input.Add(Float("x"));
        g.Node.Add(PoolNode(pool, "x", "y", "unused_indices"));
        g.Output.Add(Float("y"));
        return Model(g);
    }

    /// <summary>The compiler's MaxPool backward: the indices of MaxPool(x), then ScatterElements add of dy on flat tensors.</summary>
    private static ModelProto PoolBackward(MaxPoolGeometry pool)
    {
        var g = new GraphProto { Name = "pool-backward" };
        g.Input.Add(Float("x"));
        g.Input.Add(Float("dy"));
        g.Initializer.Add(Int64s("flat", [-1]));
        var zero = new TensorProto { Name = "zero", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 1 } };
        zero.FloatData.Add(0f);
        g.Node.Add(PoolNode(pool, "x", "y", "indices"));
        g.Node.Add(Node("Shape", ["x"], "shape"));
        g.Node.Add(Node("ReduceProd", ["shape"], "count", new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
        g.Node.Add(Node("ConstantOfShape", ["count"], "zeros", new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = zero }));
        g.Node.Add(Node("Reshape", ["indices", "flat"], "indices_flat"));
        g.Node.Add(Node("Reshape", ["dy", "flat"], "dy_flat"));
        g.Node.Add(Node("ScatterElements", ["zeros", "indices_flat", "dy_flat"], "dx_flat",
            new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 },
            new AttributeProto { Name = "reduction", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("add") }));
        g.Node.Add(Node("Reshape", ["dx_flat", "shape"], "dx"));
        g.Output.Add(Float("dx"));
        return Model(g);
    }

    private static NodeProto PoolNode(MaxPoolGeometry pool, string x, string y, string indices)
    {
        var node = new NodeProto { OpType = "MaxPool", Name = "pool" };
        node.Input.Add(x);
        node.Output.Add(y);
        node.Output.Add(indices);
        node.Attribute.Add(Ints("kernel_shape", pool.KernelH, pool.KernelW));
        node.Attribute.Add(Ints("strides", pool.StrideH, pool.StrideW));
        node.Attribute.Add(Ints("pads", pool.PadTop, pool.PadLeft, pool.PadBottom, pool.PadRight));
        node.Attribute.Add(new AttributeProto { Name = "ceil_mode", Type = AttributeProto.Types.AttributeType.Int, I = pool.CeilMode ? 1 : 0 });
        return node;
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output + "_node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static TensorProto Int64s(string name, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    private static ValueInfoProto Float(string name) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
    };

    private static ModelProto Model(GraphProto g)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "NeuralArt.Graphs.Tests", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }
}
