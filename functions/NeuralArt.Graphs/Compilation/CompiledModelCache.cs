using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using NeuralArt.Graphs.Caching;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using Onnx;

namespace NeuralArt.Graphs.Compilation;

/// <summary>
/// Compiled graphs on disk, keyed by a hash of the backbone's bytes, the manifest's surgery
/// settings, the objective and <see cref="ModelCompiler.Version"/>. A miss compiles and writes
/// atomically (temp file + rename), so concurrent processes at worst compile twice. The graphs
/// looked up in this process are remembered, at most <see cref="MaxEntries"/> of them (least
/// recently used forgotten first; a forgotten one is found on disk again without compiling).
/// </summary>
public sealed class CompiledModelCache
{
    /// <summary>Default for <see cref="MaxEntries"/>: entries are small, the bound only stops unbounded growth.</summary>
    public const int DefaultMaxEntries = 64;

    /// <summary>
    /// Default for <see cref="MaxFiles"/>: style graphs still bake request values (smoothing factor,
    /// temperature) into their key, so without a bound a caller could fill the disk.
    /// </summary>
    public const int DefaultMaxFiles = 256;

    private const string GraphExtension = ".onnx";

    private readonly ConcurrentDictionary<string, string> _backboneHashes = new(StringComparer.Ordinal);
    private readonly LruCache<string, Lazy<CompiledGraph>> _compiled;
    private readonly LruCache<string, Lazy<PoolSplitGraph?>> _splits;

    public CompiledModelCache(string directory, int maxEntries = DefaultMaxEntries, int maxFiles = DefaultMaxFiles)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFiles);
        Directory = Path.GetFullPath(directory);
        MaxEntries = maxEntries;
        MaxFiles = maxFiles;
        _compiled = new LruCache<string, Lazy<CompiledGraph>>(maxEntries, StringComparer.Ordinal);
        _splits = new LruCache<string, Lazy<PoolSplitGraph?>>(maxEntries, StringComparer.Ordinal);
    }

    public CompiledModelCache(ModelCatalog catalog, int maxEntries = DefaultMaxEntries) : this(catalog.CacheDirectory, maxEntries) { }

    public string Directory { get; }

    /// <summary>Compiled graphs remembered in memory at most.</summary>
    public int MaxEntries { get; }

    /// <summary>Compiled graph files kept on disk at most; past it the least recently used are deleted (compiled again when next asked for).</summary>
    public int MaxFiles { get; }

    /// <summary>Compiled graphs remembered in memory now.</summary>
    public int Count => _compiled.Count;

    public CompiledGraph GetOrCompile(BackboneManifest manifest, Objective objective)
    {
        var backboneHash = _backboneHashes.GetOrAdd(manifest.BackbonePath, HashFile);
        var key = string.Join("\n",
            $"compiler={ModelCompiler.Version}",
            $"backbone={backboneHash}",
            $"input={manifest.Input}",
            $"pads={manifest.SymmetricPads}",
            $"pre={manifest.Preprocessing.ChannelOrder}:{manifest.Preprocessing.Scale:R}:{string.Join(",", manifest.Preprocessing.Mean)}:{string.Join(",", manifest.Preprocessing.Std)}",
            $"taps={string.Join(",", manifest.Taps.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value))}",
            $"objective={objective.CacheKey}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        var graph = _compiled.GetOrAdd(hash, _ => new Lazy<CompiledGraph>(() => Materialize(manifest, objective, hash), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return graph.Value;
        }
        catch
        {
            // Do not remember failures: the next request compiles again (and fails again, or not).
            _compiled.TryRemove(hash, graph);
            throw;
        }
    }

    /// <summary>
    /// The graph split at its first max-pool (<see cref="PoolSplitter"/>), written next to it as
    /// <c>{name}.pool{version}-{pre,rest,back}.onnx</c>; null when it cannot be split.
    /// </summary>
    public PoolSplitGraph? GetOrSplit(CompiledGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var split = _splits.GetOrAdd(graph.Path, _ => new Lazy<PoolSplitGraph?>(() => MaterializeSplit(graph), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return split.Value;
        }
        catch
        {
            _splits.TryRemove(graph.Path, split);
            throw;
        }
    }

    private static PoolSplitGraph? MaterializeSplit(CompiledGraph graph)
    {
        var stem = Path.ChangeExtension(graph.Path, null) + $".pool{PoolSplitter.Version}-";
        string[] paths = [stem + "pre" + GraphExtension, stem + "rest" + GraphExtension, stem + "back" + GraphExtension];
        if (paths.All(File.Exists))
        {
            foreach (var p in paths) TryTouch(p);
            var pre = ModelProto.Parser.ParseFrom(File.ReadAllBytes(paths[0]));
            var geometry = pre.MetadataProps.FirstOrDefault(e => e.Key == PoolSplitNames.GeometryMetadataKey)?.Value;
            if (geometry is not null) return new PoolSplitGraph(paths[0], paths[1], paths[2], MaxPoolGeometry.Parse(geometry));
        }
        var models = PoolSplitter.TrySplit(ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph.Path)));
        if (models is null) return null;
        // The pre graph last: its presence (with the metadata) marks a complete set.
        WriteAtomically(paths[1], models.Rest);
        WriteAtomically(paths[2], models.Back);
        WriteAtomically(paths[0], models.Pre);
        return new PoolSplitGraph(paths[0], paths[1], paths[2], models.Pool);
    }

    private static void WriteAtomically(string path, ModelProto model)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temp, model.ToByteArray());
        File.Move(temp, path, overwrite: true);
    }

    private CompiledGraph Materialize(BackboneManifest manifest, Objective objective, string hash)
    {
        var kind = objective.CacheKey.Split(':')[0];
        var path = Path.Combine(Directory, $"{manifest.Name}-{kind}-{hash}{GraphExtension}");
        if (File.Exists(path))
        {
            // Recently used: the last to go when the folder is pruned.
            TryTouch(path);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory);
            var backbone = ModelProto.Parser.ParseFrom(File.ReadAllBytes(manifest.BackbonePath));
            var compiled = ModelCompiler.Compile(backbone, manifest, objective);
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temp, compiled.ToByteArray());
            File.Move(temp, path, overwrite: true);
            Prune(keep: path);
        }
        return new CompiledGraph(path, manifest.Name, objective.CacheKey, hash);
    }

    /// <summary>Deletes the least recently used graph files beyond <see cref="MaxFiles"/> (sessions already loaded keep their copy in memory).</summary>
    private void Prune(string keep)
    {
        var files = new DirectoryInfo(Directory).GetFiles("*" + GraphExtension);
        if (files.Length <= MaxFiles) return;
        foreach (var file in files.Where(f => f.FullName != keep).OrderBy(f => f.LastAccessTimeUtc).Take(files.Length - MaxFiles))
        {
            try
            {
                file.Delete();
            }
            catch (IOException)
            {
                // Another process pruned it or holds it: the next compile prunes again.
            }
        }
    }

    private static void TryTouch(string path)
    {
        try
        {
            File.SetLastAccessTimeUtc(path, DateTime.UtcNow);
        }
        catch (IOException)
        {
            // A read-only cache (baked into an image) stays as it is.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
