using System.Globalization;
using NeuralArt.Contract;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>Parses <c>--channels 12,40,77</c>.</summary>
internal static class ChannelList
{
    public static int[] Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var channels = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out channels[i]))
            {
                throw new InvalidArtworkInputException($"--channels: '{parts[i]}' is not a channel number (use for example 12,40,77).", "channels");
            }
        }
        return channels;
    }
}
