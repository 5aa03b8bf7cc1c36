using NeuralArt.Graphs.Manifests;

namespace NeuralArt.Graphs.Compilation;

/// <summary>
/// The models folder: backbone manifests (<c>*.json</c>), the backbones they name, and the cache of
/// compiled graphs (<c>compiled/</c>, git-ignored).
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>Environment variable that overrides where the models folder is.</summary>
    public const string DirectoryVariable = "NEURALART_MODELS";

    public ModelCatalog(string directory)
    {
        Directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new GraphCompilationException($"Models folder '{Directory}' does not exist.");
        }
    }

    public string Directory { get; }

    public string CacheDirectory => Path.Combine(Directory, "compiled");

    /// <summary>Manifest names found in the folder.</summary>
    public IReadOnlyList<string> Names =>
        System.IO.Directory.GetFiles(Directory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order().ToList();

    public BackboneManifest Get(string name)
    {
        // Names only, never paths: a name is looked up among the manifests, not joined to a path.
        if (!Names.Contains(name, StringComparer.Ordinal))
        {
            throw new GraphCompilationException($"There is no model named '{name}'. Known models: {string.Join(", ", Names)}.");
        }
        var path = Path.Combine(Directory, name + ".json");
        var manifest = BackboneManifest.Load(path);
        if (!File.Exists(manifest.BackbonePath))
        {
            throw new GraphCompilationException(
                $"The backbone of model '{name}' ({manifest.Backbone}) is missing; it is made at build time: run 'dotnet build'.");
        }
        return manifest;
    }

    /// <summary>
    /// Finds the models folder: <see cref="DirectoryVariable"/>, else the first <c>models/</c> folder
    /// holding a manifest, walking up from the application's folder (the repository's, in a checkout;
    /// the one next to the app, in a container).
    /// </summary>
    public static ModelCatalog Locate(string? explicitDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory)) return new ModelCatalog(explicitDirectory);
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } fromEnv) return new ModelCatalog(fromEnv);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models");
            if (System.IO.Directory.Exists(candidate) && System.IO.Directory.GetFiles(candidate, "*.json").Length > 0)
            {
                return new ModelCatalog(candidate);
            }
        }
        throw new GraphCompilationException(
            $"No models folder found above {AppContext.BaseDirectory}; set {DirectoryVariable}.");
    }
}
