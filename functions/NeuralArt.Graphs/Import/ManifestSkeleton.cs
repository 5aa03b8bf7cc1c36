using NeuralArt.Graphs.Manifests;

namespace NeuralArt.Graphs.Import;

/// <summary>
/// The manifest a freshly imported model starts from: every tap candidate under its layer name, no
/// recommendations and identity preprocessing (RGB in [0,1]): the user sets the preprocessing the
/// model was trained with and picks recommended taps after trying them (<c>neuralart models check</c>).
/// </summary>
public static class ManifestSkeleton
{
    public static BackboneManifest For(TfjsImport import, string name, string backboneRelativePath) => new()
    {
        Name = name,
        Description = $"Imported from a TF.js layers model. Set 'preprocessing' to what the model expects (the compiled graphs take RGB in [0,1]) and choose 'recommended' taps.",
        Backbone = backboneRelativePath.Replace('\\', '/'),
        Input = import.Input,
        Taps = import.TapCandidates.ToDictionary(t => t, t => t, StringComparer.Ordinal),
    };
}
