using System.Collections.Concurrent;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Reference;
using Onnx;

namespace NeuralArt.Graphs.Tests.Backbone;

/// <summary>
/// The shipped ResNet18 (from <c>models/</c>, put there by the Graphs build), parsed once, its
/// float64 reference, and its compiled graphs by objective, shared by the backbone tests.
/// </summary>
public sealed class ResNet18Fixture : IDisposable
{
    /// <summary>ONNX Runtime threads for the real backbone: the machine's two cores.</summary>
    private const int Threads = 2;

    private readonly ConcurrentDictionary<string, Lazy<CompiledModel>> _compiled = new(StringComparer.Ordinal);
    private readonly Lazy<ReferenceModel> _reference;

    public ResNet18Fixture()
    {
        Manifest = ModelCatalog.Locate().Get("resnet18");
        Model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Manifest.BackbonePath));
        // The reference applies the compiler's symmetric pad rewrite, so it runs at any size.
        _reference = new Lazy<ReferenceModel>(() => new ReferenceModel(Model, symmetricPads: true));
    }

    public BackboneManifest Manifest { get; }

    internal ModelProto Model { get; }

    internal ReferenceModel Reference => _reference.Value;

    internal CompiledModel Compiled(Objective objective) =>
        _compiled.GetOrAdd(objective.CacheKey, _ => new Lazy<CompiledModel>(() =>
        {
            var compiled = ModelCompiler.Compile(Model.Clone(), Manifest, objective);
            return new CompiledModel(compiled, new OrtRunner(compiled, Threads));
        })).Value;

    /// <summary>The original backbone with extra graph outputs, on ONNX Runtime.</summary>
    internal OrtRunner Original(IEnumerable<string> extraOutputs)
    {
        var model = Model.Clone();
        foreach (var tensor in extraOutputs)
        {
            model.Graph.Output.Add(new ValueInfoProto
            {
                Name = tensor,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }
        return new OrtRunner(model, Threads);
    }

    public void Dispose()
    {
        foreach (var lazy in _compiled.Values)
        {
            if (lazy.IsValueCreated) lazy.Value.Runner.Dispose();
        }
    }
}
