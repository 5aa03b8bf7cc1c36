using NeuralArt.Pipeline.Admission;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using NeuralArt.Engine;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Pipeline;

namespace NeuralArt.Functions.Tests;

/// <summary>
/// The app settings infra/main.bicep deploys reach the options classes the app binds: every
/// <c>NeuralArt__Section__Key</c> names a settable property of a class bound to that section, and
/// the value from infra/main.parameters.json comes out of the binder unchanged. A renamed option
/// or setting fails here instead of being silently ignored in Azure.
/// </summary>
public sealed partial class InfraSettingsTests
{
    // The configuration sections the Functions app binds (Program.cs through the Pipeline's and the
    // engine's registrations), and the classes bound to each.
    private static readonly Dictionary<string, Type[]> BoundSections = new(StringComparer.Ordinal)
    {
        [PipelineOptions.SectionName] = [typeof(PipelineOptions)],
        [EngineOptions.SectionName] = [typeof(EngineOptions), typeof(OnnxRuntimeOptions)],
        [ImageLimits.SectionName] = [typeof(ImageLimits)],
        [JobLimitsOptions.SectionName] = [typeof(JobLimitsOptions)],
    };

    [Fact]
    public void Every_deployed_setting_binds_to_an_option_with_the_deployed_value()
    {
        var settings = DeployedSettings();
        Assert.NotEmpty(settings);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value))
            .Build();

        foreach (var (key, value) in settings)
        {
            var separator = key.LastIndexOf(':');
            var section = key[..separator];
            var name = key[(separator + 1)..];
            Assert.True(BoundSections.TryGetValue(section, out var types), $"{key}: the app binds no section '{section}'.");

            var owner = types.SingleOrDefault(t => t.GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.CanWrite == true);
            Assert.True(owner is not null, $"{key}: no settable property '{name}' on {string.Join(" or ", types.Select(t => t.Name))}.");

            var bound = configuration.GetSection(section).Get(owner!)!;
            var actual = owner!.GetProperty(name)!.GetValue(bound);
            Assert.True(SameValue(value, actual), $"{key}: deployed '{value}', bound '{actual}'.");
        }
    }

    [Fact]
    public void The_sections_cover_the_execution_provider_the_chunk_budget_and_the_size_limits()
    {
        var keys = DeployedSettings().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("NeuralArt:Engine:ExecutionProvider", keys);
        Assert.Contains("NeuralArt:Pipeline:ChunkTimeBudgetSeconds", keys);
        Assert.Contains("NeuralArt:Images:MaxPixels", keys);
        Assert.Contains("NeuralArt:Images:MaxBytes", keys);
    }

    /// <summary>
    /// The NeuralArt settings in main.bicep (<c>NeuralArt__A__B: parameterName</c>) with the values
    /// main.parameters.json gives those parameters, as configuration keys (<c>NeuralArt:A:B</c>).
    /// </summary>
    private static List<KeyValuePair<string, string>> DeployedSettings()
    {
        var infra = Path.Combine(RepositoryRoot(), "infra");
        var bicep = File.ReadAllText(Path.Combine(infra, "main.bicep"));
        using var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(infra, "main.parameters.json")));
        var values = parameters.RootElement.GetProperty("parameters");

        var result = new List<KeyValuePair<string, string>>();
        foreach (Match match in SettingLine().Matches(bicep))
        {
            var parameter = match.Groups["param"].Value;
            Assert.True(values.TryGetProperty(parameter, out var entry), $"main.parameters.json gives no value for '{parameter}'.");
            var value = entry.GetProperty("value");
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            result.Add(new(match.Groups["key"].Value.Replace("__", ":", StringComparison.Ordinal), text));
        }
        return result;
    }

    private static bool SameValue(string deployed, object? bound) => bound switch
    {
        Enum e => string.Equals(e.ToString(), deployed, StringComparison.OrdinalIgnoreCase),
        IFormattable f => string.Equals(f.ToString(null, CultureInfo.InvariantCulture), deployed, StringComparison.Ordinal),
        _ => string.Equals(bound?.ToString(), deployed, StringComparison.Ordinal),
    };

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuralArt.Functions.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No NeuralArt.Functions.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^\s*(?<key>NeuralArt__\w+__\w+):\s*(?<param>\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SettingLine();
}
