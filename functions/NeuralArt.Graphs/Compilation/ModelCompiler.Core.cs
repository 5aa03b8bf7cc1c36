using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using Onnx;

namespace NeuralArt.Graphs.Compilation;

public static partial class ModelCompiler
{
    private static ModelProto CompileCore(ModelProto backbone, BackboneManifest manifest, Objective objective) =>
        throw new GraphCompilationException("The compiler is being written.");
}
