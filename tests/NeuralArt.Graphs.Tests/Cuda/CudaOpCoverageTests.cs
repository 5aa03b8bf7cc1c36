using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using Onnx;

namespace NeuralArt.Graphs.Tests.Cuda;

/// <summary>
/// Every op a compiled graph uses must have a CUDA kernel in ONNX Runtime at opset 17, so nothing
/// falls back to the CPU on a GPU host. The list was checked against ONNX Runtime's
/// docs/OperatorKernels.md (CUDAExecutionProvider section); the only op without a CUDA kernel for
/// its type there is ReduceProd on int64, which the compiler applies only to Shape outputs (ONNX
/// Runtime keeps those small shape computations on the CPU anyway).
/// </summary>
public sealed class CudaOpCoverageTests
{
    private static readonly HashSet<string> CudaKernelsAtOpset17 = new(StringComparer.Ordinal)
    {
        "Conv", "ConvTranspose", "DepthToSpace", "Slice", "Shape", "Add", "Sub", "Mul", "Div", "Neg", "Sign",
        "Greater", "Less", "And", "Cast", "MaxPool", "ScatterElements", "ReduceSum", "ReduceMax", "ArgMax",
        "Gather", "Reshape", "ConstantOfShape", "Expand", "Concat", "Split", "Pad", "AveragePool",
        "GlobalAveragePool", "Pow", "Softmax", "MatMul", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Sum",
        "Relu", "LeakyRelu", "Clip", "LRN", "BatchNormalization",
    };

    /// <summary>Ops on CPU by design: shape arithmetic only.</summary>
    private static readonly HashSet<string> ShapeOnlyOps = new(StringComparer.Ordinal) { "ReduceProd" };

    public static TheoryData<string> Objectives => new()
    {
        "dream", "guided", "features", "style", "style-targets", "style-tile", "style-tile-targets",
    };

    [Theory]
    [MemberData(nameof(Objectives))]
    public void Compiled_resnet18_graphs_use_only_ops_with_cuda_kernels(string kind)
    {
        var manifest = ModelCatalog.Locate().Get("resnet18");
        var backbone = ModelProto.Parser.ParseFrom(File.ReadAllBytes(manifest.BackbonePath));
        string[] style = ["stem", "layer1", "layer2", "layer3", "layer4"];
        string[] content = ["layer3"];
        var smoothing = new StyleSmoothing(StyleSmoothingMode.Softmax, Taps: ["layer3", "layer4"]);
        Objective objective = kind switch
        {
            "dream" => new DreamObjective(["layer3", "layer4"]),
            "guided" => new GuidedDreamObjective(["layer3"]),
            "features" => new FeaturesObjective(["layer2", "layer3"]),
            "style" => new StyleObjective(style, content, smoothing),
            "style-targets" => new StyleTargetsObjective(style, content, smoothing),
            "style-tile" => new StyleTileObjective(style, content, smoothing),
            _ => new StyleTileTargetsObjective(style, content, smoothing),
        };

        var model = ModelCompiler.Compile(backbone, manifest, objective);

        var shapeOutputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Node)
        {
            if (node.OpType == "Shape") shapeOutputs.Add(node.Output[0]);
            if (ShapeOnlyOps.Contains(node.OpType))
            {
                Assert.True(node.Input.All(shapeOutputs.Contains),
                    $"{node.OpType} '{node.Name}' reads a tensor that is not a Shape output; it has no CUDA kernel for that.");
                shapeOutputs.Add(node.Output[0]);
                continue;
            }
            Assert.True(CudaKernelsAtOpset17.Contains(node.OpType), $"{node.OpType} '{node.Name}' has no CUDA kernel at opset 17.");
        }
        Assert.Equal(ModelCompiler.TargetOpset, model.OpsetImport.Single().Version);
    }

    [Fact]
    public void ConvTranspose_nodes_have_symmetric_pads()
    {
        // The CUDA provider sends ConvTranspose with asymmetric pads to the CPU.
        var manifest = ModelCatalog.Locate().Get("resnet18");
        var backbone = ModelProto.Parser.ParseFrom(File.ReadAllBytes(manifest.BackbonePath));
        var model = ModelCompiler.Compile(backbone, manifest with { SymmetricPads = false }, new DreamObjective(["layer4"]));
        foreach (var node in model.Graph.Node.Where(n => n.OpType == "ConvTranspose"))
        {
            var pads = node.Attribute.Single(a => a.Name == "pads").Ints.ToArray();
            var rank = pads.Length / 2;
            Assert.Equal(pads.Take(rank), pads.Skip(rank));
        }
    }
}
