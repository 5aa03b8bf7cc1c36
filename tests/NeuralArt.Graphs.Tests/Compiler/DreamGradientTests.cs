using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Networks;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Compiler;

/// <summary>
/// The dream objective's compiled gradient against central finite differences of the float64
/// reference, for every test network at every test size: one tap, then several weighted taps, then a
/// channel subset, then many weights and channel masks fed into one compiled graph.
/// </summary>
public sealed class DreamGradientTests(ITestOutputHelper output)
{
    /// <summary>A weight other than 1, so a dropped weight shows.</summary>
    private const float SingleTapWeight = 1.5f;

    public static TheoryData<string, int, int> AllNetworksAllSizes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var name in TestNetworks.Names)
        {
            foreach (var (h, w) in TestNetworks.Sizes) data.Add(name, h, w);
        }
        return data;
    }

    public static TheoryData<string> MultiTapNetworks() => new(TestNetworks.WithMultiTap.Select(n => n.Name));

    public static TheoryData<string> ChannelNetworks() => new(TestNetworks.WithChannels.Select(n => n.Name));

    public static TheoryData<string> ChannelAndMultiTapNetworks() =>
        new(TestNetworks.WithChannels.Where(n => n.MultiTap is not null).Select(n => n.Name));

    [Theory]
    [MemberData(nameof(AllNetworksAllSizes))]
    public void Single_tap_gradient_matches_finite_differences(string name, int h, int w)
    {
        var network = TestNetworks.Get(name);
        DreamCheck.Run(output, network, new DreamParameters([new TapWeight(network.DreamTap, SingleTapWeight)]), h, w);
    }

    [Theory]
    [MemberData(nameof(MultiTapNetworks))]
    public void Weighted_taps_gradient_matches_finite_differences(string name)
    {
        var network = TestNetworks.Get(name);
        var (h, w) = TestNetworks.Sizes[0];
        DreamCheck.Run(output, network, new DreamParameters(network.MultiTap!), h, w);
    }

    [Theory]
    [MemberData(nameof(ChannelNetworks))]
    public void Channel_subset_gradient_matches_finite_differences(string name)
    {
        var network = TestNetworks.Get(name);
        var (h, w) = TestNetworks.Sizes[0];
        DreamCheck.Run(output, network, new DreamParameters([new TapWeight(network.DreamTap, 1f)], network.Channels), h, w);
    }

    [Theory]
    [MemberData(nameof(ChannelAndMultiTapNetworks))]
    public void Channel_subset_with_weighted_taps_gradient_matches_finite_differences(string name)
    {
        var network = TestNetworks.Get(name);
        var (h, w) = TestNetworks.Sizes[1];
        DreamCheck.Run(output, network, new DreamParameters(network.MultiTap!, network.Channels), h, w);
    }

    /// <summary>
    /// Weights (negative, small, large) and channel masks (the network's selection, one channel, none)
    /// fed as inputs into ONE compiled graph: each set's loss and gradient against the float64
    /// reference of that set, so a weight or mask that did not reach the graph would show.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChannelAndMultiTapNetworks))]
    public void Weights_and_channel_masks_fed_as_inputs_match_finite_differences(string name)
    {
        var network = TestNetworks.Get(name);
        var taps = network.MultiTap!.Select(t => t.Tap).ToList();
        var compiled = CompiledModels.Get(network, new DreamObjective(taps));
        float[][] weightSets = [[2.5f, -0.7f, 0.2f], [0.1f, 3f, 1.3f], [-1.2f, 0.4f, 0.9f]];
        IReadOnlyList<int>?[] channelSets = [network.Channels, [network.Channels![^1]], null];
        var (h, w) = TestNetworks.Sizes[0];
        for (var set = 0; set < weightSets.Length; set++)
        {
            var parameters = new DreamParameters(
                taps.Select((tap, i) => new TapWeight(tap, weightSets[set][i % weightSets[set].Length])).ToList(), channelSets[set]);
            Assert.Equal(compiled, CompiledModels.Get(network, parameters.Objective()));
            DreamCheck.Run(output, network, compiled, parameters, h, w);
        }
    }
}
