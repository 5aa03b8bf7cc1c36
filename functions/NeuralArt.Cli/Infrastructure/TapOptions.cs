using NeuralArt.Engine.Common;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>Resolves <c>--layers</c>: given taps (checked against the manifest), else its recommended dream taps.</summary>
internal static class TapOptions
{
    public static IReadOnlyList<TapWeight> Resolve(BackboneManifest manifest, string? layers)
    {
        var taps = string.IsNullOrWhiteSpace(layers)
            ? manifest.Recommended.Dream.Select(t => new TapWeight(t.Key, t.Value)).ToList()
            : TapWeights.Parse(layers);
        if (taps.Count == 0)
        {
            throw new NeuralArt.Contract.InvalidArtworkInputException(
                $"--layers: model '{manifest.Name}' recommends no dream layers; give some (known: {string.Join(", ", manifest.Taps.Keys)}).", "layers");
        }
        foreach (var tap in taps) manifest.ResolveTap(tap.Tap);
        return taps;
    }
}
