using System.Globalization;
using NeuralArt.Contract;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Engine.Common;

/// <summary>Parses tap lists such as <c>layer3:1,layer4:0.5</c> (a missing weight means 1).</summary>
public static class TapWeights
{
    private const float DefaultWeight = 1f;

    public static IReadOnlyList<TapWeight> Parse(string? text, string field = "layers")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidArtworkInputException("No layers given; use for example 'layer3' or 'layer3:1,layer4:0.5'.", field);
        }
        var taps = new List<TapWeight>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0) throw new InvalidArtworkInputException($"Layers '{text}' has an empty entry.", field);
            var pieces = part.Split(':', StringSplitOptions.TrimEntries);
            if (pieces.Length > 2 || pieces[0].Length == 0)
            {
                throw new InvalidArtworkInputException($"Layer entry '{part}' is not of the form tap or tap:weight.", field);
            }
            var weight = DefaultWeight;
            if (pieces.Length == 2 &&
                (!float.TryParse(pieces[1], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !float.IsFinite(weight) || weight == 0f))
            {
                throw new InvalidArtworkInputException($"Layer entry '{part}' has weight '{pieces[1]}'; a weight is a non-zero number.", field);
            }
            if (taps.Any(t => t.Tap == pieces[0]))
            {
                throw new InvalidArtworkInputException($"Layer '{pieces[0]}' is listed twice.", field);
            }
            taps.Add(new TapWeight(pieces[0], weight));
        }
        return taps;
    }

    public static string Format(IEnumerable<TapWeight> taps) =>
        string.Join(",", taps.Select(t => t.Tap + ":" + t.Weight.ToString("R", CultureInfo.InvariantCulture)));
}
