using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>The compiled-graph cache: one file per graph on disk, a bounded LRU of them in memory.</summary>
public sealed class CompiledModelCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "neuralart-cache-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string[] Files() => Directory.GetFiles(_directory).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Memory_holds_at_most_its_bound_and_forgets_the_least_recently_used()
    {
        // Forward-only graphs of ResNet-18 compile fastest. A graph remembered in memory is returned
        // without looking at the disk; a forgotten one is looked up on disk (compiled if missing).
        var manifest = ModelCatalog.Locate().Get("resnet18");
        var cache = new CompiledModelCache(_directory, maxEntries: 2);
        var stem = cache.GetOrCompile(manifest, new FeaturesObjective(["stem"]));
        var layer1 = cache.GetOrCompile(manifest, new FeaturesObjective(["layer1"]));
        cache.GetOrCompile(manifest, new FeaturesObjective(["stem"]));       // stem is now the most recently used
        cache.GetOrCompile(manifest, new FeaturesObjective(["layer2"]));     // forgets layer1
        Assert.Equal(2, cache.Count);
        Assert.Equal(3, Files().Length);

        File.Delete(stem.Path);
        File.Delete(layer1.Path);
        Assert.Equal(stem, cache.GetOrCompile(manifest, new FeaturesObjective(["stem"])));
        Assert.False(File.Exists(stem.Path), "stem was remembered: no disk lookup, no compile.");
        Assert.Equal(layer1, cache.GetOrCompile(manifest, new FeaturesObjective(["layer1"])));
        Assert.True(File.Exists(layer1.Path), "layer1 was forgotten: looked up on disk and compiled again.");
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void The_disk_holds_at_most_its_bound_of_files_and_deletes_the_least_recently_used()
    {
        var manifest = ModelCatalog.Locate().Get("resnet18");
        var cache = new CompiledModelCache(_directory, maxEntries: 1, maxFiles: 2);
        var stem = cache.GetOrCompile(manifest, new FeaturesObjective(["stem"]));
        var layer1 = cache.GetOrCompile(manifest, new FeaturesObjective(["layer1"]));
        File.SetLastAccessTimeUtc(stem.Path, DateTime.UtcNow.AddMinutes(-10));
        File.SetLastAccessTimeUtc(layer1.Path, DateTime.UtcNow.AddMinutes(-5));
        var layer2 = cache.GetOrCompile(manifest, new FeaturesObjective(["layer2"]));

        Assert.Equal(new[] { layer1.Path, layer2.Path }.Order(StringComparer.Ordinal), Files());
        Assert.False(File.Exists(stem.Path), "stem was the least recently used file: deleted.");
        Assert.Equal(stem.Path, cache.GetOrCompile(manifest, new FeaturesObjective(["stem"])).Path);
        Assert.True(File.Exists(stem.Path), "a deleted graph is compiled again when asked for.");
        Assert.Equal(2, Files().Length);
    }

    [Fact]
    public void A_forgotten_graph_is_found_on_disk_without_compiling()
    {
        var manifest = ModelCatalog.Locate().Get("resnet18");
        var cache = new CompiledModelCache(_directory, maxEntries: 1);
        var stem = cache.GetOrCompile(manifest, new FeaturesObjective(["stem"]));
        cache.GetOrCompile(manifest, new FeaturesObjective(["layer1"]));
        var written = File.GetLastWriteTimeUtc(stem.Path);

        Assert.Equal(stem, cache.GetOrCompile(manifest, new FeaturesObjective(["stem"])));
        Assert.Equal(written, File.GetLastWriteTimeUtc(stem.Path));
        Assert.Equal(2, Files().Length);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Dream_weights_do_not_reach_the_cache_key()
    {
        var manifest = ModelCatalog.Locate().Get("resnet18");
        var cache = new CompiledModelCache(_directory);
        var a = cache.GetOrCompile(manifest, new DreamParameters([new TapWeight("layer3", 0.3f), new TapWeight("layer2", 2f)], [4, 9]).Objective());
        var b = cache.GetOrCompile(manifest, new DreamParameters([new TapWeight("layer2", -1f), new TapWeight("layer3", 5f)]).Objective());
        Assert.Equal(a, b);
        Assert.Single(Files());
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_bound_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompiledModelCache(_directory, maxEntries: 0));
}
