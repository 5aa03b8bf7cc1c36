namespace NeuralArt.Graphs.Tests.Networks;

/// <summary>The catalogue of small networks by name, built once per test run.</summary>
internal static class TestNetworks
{
    private static readonly Lazy<IReadOnlyDictionary<string, TestNetwork>> Catalogue = new(() =>
        OpNetworks.All().Concat(ArchitectureNetworks.All()).Concat(EdgeNetworks.All()).ToDictionary(n => n.Name, StringComparer.Ordinal));

    /// <summary>Image sizes (H, W) every network is checked at: odd and even, non-square, small.</summary>
    public static readonly (int H, int W)[] Sizes = [(17, 23), (12, 16)];

    public static IEnumerable<string> Names => Catalogue.Value.Keys;

    public static TestNetwork Get(string name) => Catalogue.Value[name];

    public static IEnumerable<TestNetwork> WithMultiTap => Catalogue.Value.Values.Where(n => n.MultiTap is not null);

    public static IEnumerable<TestNetwork> WithChannels => Catalogue.Value.Values.Where(n => n.Channels is not null);
}
