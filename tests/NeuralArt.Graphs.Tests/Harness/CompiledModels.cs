using System.Collections.Concurrent;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Networks;
using NeuralArt.Graphs.Tests.Reference;
using Onnx;

namespace NeuralArt.Graphs.Tests.Harness;

/// <summary>A compiled graph and its ONNX Runtime session.</summary>
internal sealed record CompiledModel(ModelProto Model, OrtRunner Runner);

/// <summary>
/// Compiles each (network, objective) once per test run and keeps its session, so the theories over
/// image sizes share one compiled graph (which also exercises its dynamic H and W).
/// </summary>
internal static class CompiledModels
{
    private static readonly ConcurrentDictionary<string, Lazy<CompiledModel>> Compiled = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<ReferenceModel>> References = new(StringComparer.Ordinal);

    public static CompiledModel Get(TestNetwork network, Objective objective) =>
        Compiled.GetOrAdd(network.Name + "|" + objective.CacheKey, _ => new Lazy<CompiledModel>(() =>
        {
            var compiled = ModelCompiler.Compile(network.Model.Clone(), network.Manifest, objective);
            return new CompiledModel(compiled, new OrtRunner(compiled));
        })).Value;

    /// <summary>The float64 reference of the network, with the compiler's pad rewrite when the manifest asks for it.</summary>
    public static ReferenceModel Reference(TestNetwork network) =>
        References.GetOrAdd(network.Name, _ => new Lazy<ReferenceModel>(() =>
            new ReferenceModel(network.Model, network.SymmetricPads))).Value;
}
