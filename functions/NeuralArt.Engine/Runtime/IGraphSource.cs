using NeuralArt.Graphs;
using NeuralArt.Graphs.Analysis;
using NeuralArt.Graphs.Caching;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Runtime;

/// <summary>
/// Where engines get backbone manifests and compiled graphs. The production source compiles through
/// the models folder's cache; tests substitute small hand-built graphs.
/// </summary>
public interface IGraphSource
{
    /// <summary>The names of the models this source serves (the only names a job may ask for).</summary>
    IReadOnlyList<string> Models { get; }

    /// <summary>The manifest of a model; throws <see cref="GraphCompilationException"/> when unknown.</summary>
    BackboneManifest GetManifest(string model);

    /// <summary>The cost model of the network cut at <paramref name="taps"/>, for plans (nothing runs).</summary>
    INetworkCost GetCost(BackboneManifest manifest, IReadOnlyCollection<string> taps);

    /// <summary>The compiled graph of an objective, compiling it on a cache miss.</summary>
    CompiledGraph GetGraph(BackboneManifest manifest, Objective objective);

    /// <summary>
    /// The gradient graph split at its first max-pool, for running the pool in managed code between
    /// the parts on the CPU (<see cref="PoolSplitRunner"/>); null when the source has none.
    /// </summary>
    PoolSplitGraph? GetPoolSplit(CompiledGraph graph) => null;
}

/// <summary>The models folder (<see cref="ModelCatalog"/>) and its compiled-graph cache.</summary>
public sealed class CatalogGraphSource : IGraphSource
{
    private readonly ModelCatalog _catalog;
    private readonly CompiledModelCache _cache;

    /// <summary>Cost models are built from the parsed backbone (a fraction of a second): keep the recent ones.</summary>
    private const int CostCacheCapacity = 16;

    private readonly LruCache<string, INetworkCost> _costs = new(CostCacheCapacity, StringComparer.Ordinal);

    /// <param name="maxCompiledGraphs">Compiled graphs remembered in memory (<see cref="CompiledModelCache.MaxEntries"/>).</param>
    /// <param name="cacheDirectory">Where compiled graphs are written; default the catalog's <c>compiled/</c> folder.</param>
    public CatalogGraphSource(ModelCatalog catalog, int maxCompiledGraphs = CompiledModelCache.DefaultMaxEntries, string? cacheDirectory = null)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _cache = new CompiledModelCache(cacheDirectory ?? catalog.CacheDirectory, maxCompiledGraphs);
    }

    public ModelCatalog Catalog => _catalog;

    public IReadOnlyList<string> Models => _catalog.Names;

    /// <summary>The compiled-graph cache (its folder and in-memory entries).</summary>
    public CompiledModelCache Cache => _cache;

    public BackboneManifest GetManifest(string model) => _catalog.Get(model);

    public INetworkCost GetCost(BackboneManifest manifest, IReadOnlyCollection<string> taps)
    {
        var key = manifest.Name + "|" + string.Join(",", taps.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return _costs.GetOrAdd(key, _ => ConvolutionCost.Of(manifest, taps));
    }

    public CompiledGraph GetGraph(BackboneManifest manifest, Objective objective) => _cache.GetOrCompile(manifest, objective);

    public PoolSplitGraph? GetPoolSplit(CompiledGraph graph) => _cache.GetOrSplit(graph);
}
