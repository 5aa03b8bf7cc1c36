using System.Text.RegularExpressions;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Pipeline.Tests;

/// <summary>The Bicep templates and the code agree on the storage layout.</summary>
public partial class InfrastructureTests
{
    [Fact]
    public void The_template_declares_every_container_the_pipeline_uses()
    {
        var template = File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "infra", "main.bicep"));
        var block = ContainerNames().Match(template);
        Assert.True(block.Success, "infra/main.bicep has no 'var containerNames = [...]'.");
        var declared = Quoted().Matches(block.Groups["items"].Value).Select(m => m.Groups[1].Value).Order().ToList();

        Assert.Equal(StorageLayout.Containers.Order().ToList(), declared);
    }

    [Fact]
    public void The_lifecycle_policy_expires_checkpoints_and_uploads_but_never_outputs()
    {
        var storage = File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "infra", "modules", "storage.bicep"));
        var prefixes = PrefixMatch().Matches(storage).Select(m => m.Groups[1].Value).Order().ToList();

        Assert.Equal([StorageLayout.JobsContainer + "/", StorageLayout.UploadsContainer + "/"], prefixes);
    }

    [GeneratedRegex(@"var containerNames = \[(?<items>[^\]]*)\]")]
    private static partial Regex ContainerNames();

    [GeneratedRegex(@"'([a-z0-9-]+)'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"prefixMatch: \[\s*'([^']+)'\s*\]")]
    private static partial Regex PrefixMatch();
}
