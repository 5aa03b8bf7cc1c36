using System.Text.RegularExpressions;
using NeuralArt.Contract;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>
/// Engine validation names fields as in JSON (<c>octaveScale</c>); on the command line the user
/// typed <c>--octave-scale</c>, so errors are re-worded with the option's name.
/// </summary>
internal static partial class OptionErrors
{
    private static readonly Dictionary<string, string> Options = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tileSize"] = "--tile",
        // The photo every engine starts from: the first argument of dream, style and zoom.
        [EngineDescriptor.SourceRole] = "<input>",
        ["guide"] = "--guide",
        ["style"] = "<styles>",
        ["init"] = "--init",
        ["smoothingTemperature"] = "--temperature",
        ["state"] = "state",
    };

    public static T Translate<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (InvalidArtworkInputException ex) when (ex.Field is not null)
        {
            throw Reworded(ex);
        }
    }

    public static async Task<T> TranslateAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (InvalidArtworkInputException ex) when (ex.Field is not null)
        {
            throw Reworded(ex);
        }
    }

    public static string OptionName(string field) =>
        Options.TryGetValue(field, out var option) ? option : "--" + Kebab().Replace(field, "-$1").ToLowerInvariant();

    private static InvalidArtworkInputException Reworded(InvalidArtworkInputException ex)
    {
        var option = OptionName(ex.Field!);
        return ex.Message.StartsWith(option, StringComparison.Ordinal) || option.StartsWith('<') || option == "state"
            ? ex
            : new InvalidArtworkInputException($"{option}: {ex.Message}", ex.Field, ex);
    }

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex Kebab();
}
