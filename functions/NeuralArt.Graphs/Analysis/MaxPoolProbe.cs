using NeuralArt.Graphs.Backward;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Onnx;
using Onnx;

namespace NeuralArt.Graphs.Analysis;

/// <summary>
/// A graph of nothing but a max-pool with its indices and the backward the compiler writes for it
/// (<c>ScatterElements(reduction=add)</c> on flat tensors; the pooled values stand in for the output
/// gradient), for measuring what the pair costs inside ONNX Runtime at a given input shape.
/// </summary>
public static class MaxPoolProbe
{
    public const string InputName = "x";
    public const string OutputName = "dx";

    public static ModelProto Build(MaxPoolGeometry pool, long channels)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var b = new GraphBuilder();
        b.Reserve([InputName, OutputName]);
        var outputs = b.AddMulti("MaxPool", [InputName], 2, "pool",
            Attr.Ints("kernel_shape", [pool.KernelH, pool.KernelW]),
            Attr.Ints("strides", [pool.StrideH, pool.StrideW]),
            Attr.Ints("pads", [pool.PadTop, pool.PadLeft, pool.PadBottom, pool.PadRight]),
            Attr.Int("ceil_mode", pool.CeilMode ? 1 : 0));
        var (pooled, indices) = (outputs[0], outputs[1]);
        var shape = b.ShapeOf(InputName);
        var count = b.Add("ReduceProd", [shape], "numel", Attr.Int("keepdims", 1));
        var zeros = b.Add("ConstantOfShape", [count], "zeros", PoolingRules.TensorValue(0f));
        var flat = b.ConstInt64([-1]);
        var scattered = b.Add("ScatterElements",
            [zeros, b.Add("Reshape", [indices, flat], "idx_flat"), b.Add("Reshape", [pooled, flat], "dy_flat")],
            "maxpool_grad_flat", Attr.Int("axis", 0), Attr.String("reduction", "add"));
        b.AddNamed("Reshape", [scattered, shape], OutputName);

        var graph = new GraphProto { Name = "maxpool-probe" };
        graph.Node.AddRange(b.Nodes);
        graph.Initializer.AddRange(b.Initializers.Values);
        graph.Input.Add(ValueInfos.Float(InputName, ValueInfos.Dim(1), ValueInfos.Dim(channels), ValueInfos.Dim("H"), ValueInfos.Dim("W")));
        graph.Output.Add(ValueInfos.Float(OutputName, ValueInfos.Dim(1), ValueInfos.Dim(channels), ValueInfos.Dim("H"), ValueInfos.Dim("W")));
        var model = new ModelProto { IrVersion = ModelCompiler.OutputIrVersion, ProducerName = "NeuralArt.Graphs", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = ModelCompiler.TargetOpset });
        return model;
    }
}
