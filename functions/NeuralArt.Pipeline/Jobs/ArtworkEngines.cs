using NeuralArt.Contract;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>The engines registered in DI, by kind. The pipeline never builds an engine itself.</summary>
public sealed class ArtworkEngines(IEnumerable<IArtworkEngine> engines)
{
    private readonly Dictionary<string, IArtworkEngine> byKind =
        engines.GroupBy(e => e.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public IReadOnlyCollection<string> Kinds => byKind.Keys;

    public IEnumerable<IArtworkEngine> All => byKind.Values;

    public bool Supports(string kind) => byKind.ContainsKey(kind);

    public IArtworkEngine Get(string kind) =>
        byKind.TryGetValue(kind, out var engine)
            ? engine
            : throw new InvalidArtworkInputException(
                $"No engine for job kind '{kind}' is installed in this host (available: {string.Join(", ", byKind.Keys.Order())}).", "kind");
}
