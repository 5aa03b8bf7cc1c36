using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using Onnx;

namespace NeuralArt.Graphs.Compilation;

/// <summary>
/// Compiled graphs on disk, keyed by a hash of the backbone's bytes, the manifest's surgery
/// settings, the objective and <see cref="ModelCompiler.Version"/>. A miss compiles and writes
/// atomically (temp file + rename), so concurrent processes at worst compile twice.
/// </summary>
public sealed class CompiledModelCache
{
    private readonly ConcurrentDictionary<string, string> _backboneHashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<CompiledGraph>> _compiled = new(StringComparer.Ordinal);

    public CompiledModelCache(string directory) => Directory = Path.GetFullPath(directory);

    public CompiledModelCache(ModelCatalog catalog) : this(catalog.CacheDirectory) { }

    public string Directory { get; }

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
        return _compiled.GetOrAdd(hash, h => new Lazy<CompiledGraph>(() => Materialize(manifest, objective, h))).Value;
    }

    private CompiledGraph Materialize(BackboneManifest manifest, Objective objective, string hash)
    {
        var kind = objective.CacheKey.Split(':')[0];
        var path = Path.Combine(Directory, $"{manifest.Name}-{kind}-{hash}.onnx");
        if (!File.Exists(path))
        {
            System.IO.Directory.CreateDirectory(Directory);
            var backbone = ModelProto.Parser.ParseFrom(File.ReadAllBytes(manifest.BackbonePath));
            var compiled = ModelCompiler.Compile(backbone, manifest, objective);
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temp, compiled.ToByteArray());
            File.Move(temp, path, overwrite: true);
        }
        return new CompiledGraph(path, manifest.Name, objective.CacheKey, hash);
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
