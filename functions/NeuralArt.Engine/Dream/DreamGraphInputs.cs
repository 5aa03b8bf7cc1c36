using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Dream;

/// <summary>
/// Feeds a dream's tap weights and channel selection into a compiled dream graph, whose structure
/// depends only on the set of taps (<see cref="DreamObjective"/>): the values are extra inputs of the
/// <see cref="GradientRunner"/>, bound for every later run on the host, device and tiled paths alike.
/// </summary>
public static class DreamGraphInputs
{
    /// <summary>Sets <c>dream_weight.{tap}</c> (and, unguided, <c>dream_mask.{tap}</c>) on <paramref name="runner"/>.</summary>
    /// <exception cref="ArgumentException">A channel is outside a tap's channels, or a tap is listed twice.</exception>
    public static void Set(GradientRunner runner, DreamParameters parameters, bool guided)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var input in For(runner.InputDimensions, parameters, guided)) runner.SetExtraInput(input.Name, input.Values, input.Shape);
    }

    /// <summary>The values <see cref="Set"/> feeds, checked against the graph's declared channel counts.</summary>
    /// <param name="inputDimensions">The declared dimensions of a graph input, by name (<see cref="GradientRunner.InputDimensions"/>).</param>
    public static IReadOnlyList<GraphInput> For(Func<string, int[]> inputDimensions, DreamParameters parameters, bool guided) =>
        guided
            ? parameters.GuidedInputs()
            : parameters.Inputs(tap => inputDimensions(DreamGraphNames.ChannelMask(tap)) is [_, var channels, ..] ? channels : -1);
}
