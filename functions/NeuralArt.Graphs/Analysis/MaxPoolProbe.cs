using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Onnx;
using Onnx;

namespace NeuralArt.Graphs.Analysis;

/// <summary>
/// Graphs of nothing but a max-pool with its indices and the backward the compiler writes for it
/// (<see cref="PoolingRules.ScatterGradient"/>: <c>ScatterElements(reduction=add)</c> on flat tensors):
/// <see cref="Build"/> measures what the pair costs inside ONNX Runtime at a given input shape (the
/// pooled values stand in for the output gradient); <see cref="Forward"/> and <see cref="Backward"/>
/// are the two halves, what the managed pool and the split graph are checked against.
/// </summary>
public static class MaxPoolProbe
{
    public const string InputName = "x";
    public const string OutputName = "dx";
    public const string PooledName = "y";
    public const string IndicesName = "indices";
    public const string OutputGradName = "dy";

    /// <summary>x to dx: the pool, then its backward of the pooled values.</summary>
    public static ModelProto Build(MaxPoolGeometry pool, long channels)
    {
        var b = new GraphBuilder();
        b.Reserve([InputName, OutputName]);
        var (pooled, indices) = Pool(b, pool);
        PoolingRules.ScatterGradient(b, InputName, indices, pooled, OutputName);
        return Model(b, "maxpool-probe", channels, [InputName], [OutputName]);
    }

    /// <summary>x to y and its int64 indices: ONNX Runtime's MaxPool alone.</summary>
    public static ModelProto Forward(MaxPoolGeometry pool, long channels)
    {
        var b = new GraphBuilder();
        b.Reserve([InputName, PooledName, IndicesName]);
        var (pooled, indices) = Pool(b, pool);
        b.AddNamed("Identity", [pooled], PooledName);
        b.AddNamed("Identity", [indices], IndicesName);
        return Model(b, "maxpool-forward", channels, [InputName], [PooledName, IndicesName]);
    }

    /// <summary>x and dy to dx: the pool's indices, then the compiler's backward of <c>dy</c>.</summary>
    public static ModelProto Backward(MaxPoolGeometry pool, long channels)
    {
        var b = new GraphBuilder();
        b.Reserve([InputName, OutputGradName, OutputName]);
        var (_, indices) = Pool(b, pool);
        PoolingRules.ScatterGradient(b, InputName, indices, OutputGradName, OutputName);
        return Model(b, "maxpool-backward", channels, [InputName, OutputGradName], [OutputName]);
    }

    private static (string Pooled, string Indices) Pool(GraphBuilder b, MaxPoolGeometry pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var outputs = b.AddMulti("MaxPool", [InputName], 2, "pool",
            Attr.Ints("kernel_shape", [pool.KernelH, pool.KernelW]),
            Attr.Ints("strides", [pool.StrideH, pool.StrideW]),
            Attr.Ints("pads", [pool.PadTop, pool.PadLeft, pool.PadBottom, pool.PadRight]),
            Attr.Int("ceil_mode", pool.CeilMode ? 1 : 0));
        return (outputs[0], outputs[1]);
    }

    private static ModelProto Model(GraphBuilder b, string name, long channels, string[] inputs, string[] outputs)
    {
        var graph = new GraphProto { Name = name };
        graph.Node.AddRange(b.Nodes);
        graph.Initializer.AddRange(b.Initializers.Values);
        foreach (var input in inputs) graph.Input.Add(Image(input, channels));
        foreach (var output in outputs)
        {
            graph.Output.Add(output == IndicesName
                ? new ValueInfoProto { Name = output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Int64 } } }
                : Image(output, channels));
        }

        var model = new ModelProto { IrVersion = ModelCompiler.OutputIrVersion, ProducerName = "NeuralArt.Graphs", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = ModelCompiler.TargetOpset });
        return model;
    }

    /// <summary>[1, channels, H, W] floats (H and W symbolic: a pooled tensor is smaller than its input).</summary>
    private static ValueInfoProto Image(string name, long channels) =>
        ValueInfos.Float(name, ValueInfos.Dim(1), ValueInfos.Dim(channels), ValueInfos.Dim(name + "_h"), ValueInfos.Dim(name + "_w"));
}
