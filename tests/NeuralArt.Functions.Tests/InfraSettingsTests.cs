using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using NeuralArt.Engine;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Runtime;
using NeuralArt.Functions.Functions;
using NeuralArt.Functions.Inbox;
using NeuralArt.Pipeline;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Activities;
using NeuralArt.Pipeline.Chunks;
using NeuralArt.Pipeline.Storage;

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
        [ChunkQueueOptions.SectionName] = [typeof(ChunkQueueOptions)],
    };

    [Fact]
    public void Every_deployed_setting_binds_to_an_option_with_the_deployed_value()
    {
        var settings = DeployedSettings();
        Assert.NotEmpty(settings);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Where(s => s.Value != ComputedMarker).ToDictionary(s => s.Key, s => (string?)s.Value))
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
        Assert.Contains("NeuralArt:Limits:MaxRunningJobs", keys);
    }

    [Fact]
    public void The_app_settings_give_both_storage_connections_in_the_identity_form_and_no_secret()
    {
        var functionApp = InfraFiles.Module("functionApp.bicep");
        var keys = HostSettingKey().Matches(functionApp).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        // The host connection (Durable, leases) by account name; the data connection (StorageSettings
        // reads blobServiceUri, the queue trigger queueServiceUri) by endpoint; both with the identity.
        string[] expected =
        [
            StorageSettings.HostConnection + "__accountName", StorageSettings.HostConnection + "__credential", StorageSettings.HostConnection + "__clientId",
            StorageSettings.DataConnection + "__blobServiceUri", StorageSettings.DataConnection + "__queueServiceUri",
            StorageSettings.DataConnection + "__credential", StorageSettings.DataConnection + "__clientId",
        ];
        Assert.All(expected, key => Assert.Contains(key, keys));
        Assert.DoesNotContain(keys, key => key == StorageSettings.HostConnection || key == StorageSettings.DataConnection);

        foreach (var file in InfraFiles.AllBicep())
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("listKeys(", text, StringComparison.Ordinal);
            Assert.DoesNotContain("AccountKey=", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_inbox_event_route_delivers_what_the_queue_trigger_reads()
    {
        var main = InfraFiles.MainTemplate();
        Assert.Equal(InboxEventFunction.QueueName, Regex.Match(main, @"^var inboxEventsQueueName = '([^']+)'", RegexOptions.Multiline).Groups[1].Value);
        // The queue trigger moves a message it gave up on to <queue>-poison; the template creates it.
        Assert.Contains("'${inboxEventsQueueName}-poison'", main, StringComparison.Ordinal);
        Assert.Matches(@"module inboxEvents[\s\S]*?containerName: '" + StorageLayout.InboxContainer + "'", main);

        var events = InfraFiles.Module("inboxEvents.bicep");
        Assert.Contains($"'{BlobCreatedEvent.EventType}'", events, StringComparison.Ordinal);
        Assert.Contains("subjectBeginsWith: '/blobServices/default/containers/${containerName}/blobs/'", events, StringComparison.Ordinal);
        Assert.Contains("endpointType: 'StorageQueue'", events, StringComparison.Ordinal);
    }

    [Fact]
    public void The_alerts_count_the_activities_the_orchestration_runs()
    {
        var main = InfraFiles.MainTemplate();
        var block = Regex.Match(main, @"^var activityNames = \[(?<items>[^\]]*)\]", RegexOptions.Multiline);
        Assert.True(block.Success, "infra/main.bicep has no 'var activityNames = [...]'.");
        var listed = Regex.Matches(block.Groups["items"].Value, "'([^']+)'").Select(m => m.Groups[1].Value).Order();

        // Every activity function the app has (functions.metadata), no more, no less.
        Assert.Equal(FunctionsMetadataTests.FunctionsWithTrigger("activityTrigger").Order(), listed);
        Assert.Equal(ActivityNames.RecordFailure, Regex.Match(main, @"^var failureActivityName = '([^']+)'", RegexOptions.Multiline).Groups[1].Value);
    }

    [Fact]
    public void The_image_tag_is_required_and_never_latest()
    {
        var main = InfraFiles.MainTemplate();
        Assert.Matches(@"(?m)^param imageTag string\s*$", main);
        Assert.DoesNotContain(":latest", main, StringComparison.Ordinal);

        using var parameters = JsonDocument.Parse(File.ReadAllText(Path.Combine(InfraFiles.Root, "main.parameters.json")));
        Assert.False(parameters.RootElement.GetProperty("parameters").TryGetProperty("imageTag", out _), "imageTag is given per deployment, not in the file.");

        var dockerfile = File.ReadAllText(Path.Combine(InfraFiles.Root, "Dockerfile"));
        Assert.DoesNotContain(":latest", dockerfile, StringComparison.Ordinal);
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
            var key = match.Groups["key"].Value.Replace("__", ":", StringComparison.Ordinal);
            if (parameter is "true" or "false")
            {
                // A fixed setting (NeuralArt__Chunks__CreateQueues: false): its literal is the value.
                result.Add(new(key, parameter == "true" ? bool.TrueString : bool.FalseString));
                continue;
            }

            if (Regex.Match(bicep, $@"(?m)^var {parameter} = '(?<value>[^']*)'$") is { Success: true } computed && !computed.Value.Contains("${", StringComparison.Ordinal))
            {
                result.Add(new(key, computed.Groups["value"].Value));
                continue;
            }

            if (Regex.IsMatch(bicep, $@"(?m)^var {parameter} = "))
            {
                // Computed from other parameters (WorkerStopTakingAfter): the key must still bind; its value is the template's.
                result.Add(new(key, ComputedMarker));
                continue;
            }

            Assert.True(values.TryGetProperty(parameter, out var entry), $"main.parameters.json gives no value for '{parameter}'.");
            var value = entry.GetProperty("value");
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            result.Add(new(key, text));
        }
        return result;
    }

    /// <summary>Stands for a value the template computes; only its key is checked.</summary>
    private const string ComputedMarker = "(computed)";

    private static bool SameValue(string deployed, object? bound) => deployed == ComputedMarker || bound switch
    {
        bool b => string.Equals(b.ToString(), deployed, StringComparison.Ordinal),
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

    [GeneratedRegex(@"^  (\w+): ", RegexOptions.Multiline)]
    private static partial Regex HostSettingKey();
}
