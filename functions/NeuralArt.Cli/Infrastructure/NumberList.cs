using System.Globalization;
using NeuralArt.Contract;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>Parses comma-separated numbers such as <c>--scales 256,512</c> or <c>--style-blend 0.7,0.3</c>.</summary>
internal static class NumberList
{
    public static int[] Integers(string text, string option, string field) =>
        Parse<int>(text, option, field, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : (int?)null, "whole number");

    public static double[] Doubles(string text, string option, string field) =>
        Parse<double>(text, option, field, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : (double?)null, "number");

    private static T[] Parse<T>(string text, string option, string field, Func<string, T?> parse, string what) where T : struct
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new T[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            values[i] = parse(parts[i]) ?? throw new InvalidArtworkInputException(
                $"{option}: '{parts[i]}' is not a {what} (use a comma-separated list such as {(typeof(T) == typeof(int) ? "256,512" : "0.7,0.3")}).", field);
        }
        return values;
    }
}
