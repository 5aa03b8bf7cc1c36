using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using Onnx;

namespace NeuralArt.Graphs.Tests.Networks;

/// <summary>
/// A small random-weight backbone for the gradient tests, with its manifest pieces: taps, the
/// preprocessing the compiled graph must fold in, and the tap the single-tap dream tests use.
/// </summary>
internal sealed record TestNetwork(
    string Name,
    ModelProto Model,
    IReadOnlyDictionary<string, string> Taps,
    string DreamTap,
    PreprocessingSpec Preprocessing,
    bool SymmetricPads = false)
{
    /// <summary>Several taps with different weights, for the multi-tap objective tests (null: one tap only).</summary>
    public IReadOnlyList<TapWeight>? MultiTap { get; init; }

    /// <summary>A channel subset valid for every tap, for the channel-selection tests (null: not tested).</summary>
    public IReadOnlyList<int>? Channels { get; init; }

    /// <summary>Image sizes (H, W) this network is checked at: the shared small ones unless its stride-2 valid stages need more pixels.</summary>
    public IReadOnlyList<(int H, int W)> Sizes { get; init; } = TestNetworks.Sizes;

    public BackboneManifest Manifest => new()
    {
        Name = Name,
        Backbone = Name + ".onnx",
        Input = NetBuilder.InputName,
        SymmetricPads = SymmetricPads,
        Preprocessing = Preprocessing,
        Taps = Taps,
    };

    public override string ToString() => Name;
}
