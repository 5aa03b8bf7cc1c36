namespace NeuralArt.Dashboard.Tests;

/// <summary>The browser tests and the HTTP tests share one Azurite, one serve and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
