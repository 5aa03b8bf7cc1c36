using NeuralArt.Graphs.Onnx;
using Onnx;

namespace NeuralArt.Graphs.Analysis;

/// <summary>
/// A graph of nothing but chained 3x3 convolutions (C to C channels, pads 1, random weights), for
/// measuring how fast ONNX Runtime's convolution kernels run on this machine: the rate a gradient
/// step's convolutions could reach if every other op cost nothing.
/// </summary>
public static class ConvolutionProbe
{
    public const string InputName = "x";
    public const string OutputName = "y";
    private const int KernelSide = 3;
    private const int WeightSeed = 1;

    /// <summary>The probe with <paramref name="layers"/> convolutions of <paramref name="channels"/> channels; input [1,C,H,W].</summary>
    public static ModelProto Build(int channels, int layers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        var builder = new GraphBuilder();
        builder.Reserve([InputName, OutputName]);
        var random = new Random(WeightSeed);
        // Weights scaled by 1/sqrt(fan-in) so activations keep their size through the chain.
        var fanIn = channels * KernelSide * KernelSide;
        var scale = (float)(1 / Math.Sqrt(fanIn));
        var x = InputName;
        for (var i = 0; i < layers; i++)
        {
            var weights = new float[channels * fanIn];
            for (var j = 0; j < weights.Length; j++) weights[j] = (float)(random.NextDouble() * 2 - 1) * scale;
            var w = builder.ConstFloat(weights, [channels, channels, KernelSide, KernelSide], $"probe_w{i}");
            var attributes = new[] { Attr.Ints("kernel_shape", [KernelSide, KernelSide]), Attr.Ints("pads", [1, 1, 1, 1]) };
            x = i == layers - 1
                ? builder.AddNamed("Conv", [x, w], OutputName, attributes)
                : builder.Add("Conv", [x, w], "probe_conv", attributes);
        }

        var graph = new GraphProto { Name = $"convolution-probe-{channels}x{layers}" };
        graph.Node.AddRange(builder.Nodes);
        graph.Initializer.AddRange(builder.Initializers.Values);
        graph.Input.Add(Value(InputName, channels));
        graph.Output.Add(Value(OutputName, channels));
        var model = new ModelProto { IrVersion = Compilation.ModelCompiler.OutputIrVersion, ProducerName = "NeuralArt.Graphs", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Compilation.ModelCompiler.TargetOpset });
        return model;
    }

    /// <summary>Multiply-adds of one run of the probe on an H x W input.</summary>
    public static long Macs(int channels, int layers, int height, int width) =>
        (long)layers * height * width * channels * channels * KernelSide * KernelSide;

    private static ValueInfoProto Value(string name, int channels) =>
        ValueInfos.Float(name, ValueInfos.Dim(1), ValueInfos.Dim(channels), ValueInfos.Dim("H"), ValueInfos.Dim("W"));
}
