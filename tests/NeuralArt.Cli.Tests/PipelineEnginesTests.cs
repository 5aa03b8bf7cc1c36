using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuralArt.Cli.Commands;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Engine;
using NeuralArt.Engine.Runtime;

namespace NeuralArt.Cli.Tests;

/// <summary>The engines <c>serve</c> and <c>bench-pipeline</c> register get every engine option the command took.</summary>
public sealed class PipelineEnginesTests
{
    [Theory]
    [InlineData("device", StepPlacement.Device)]
    [InlineData("host", StepPlacement.Host)]
    public void Serve_placement_reaches_the_engines(string option, StepPlacement expected)
    {
        var settings = new ServeCommand.Settings { Placement = option, Model = "resnet18" };
        using var provider = new ServiceCollection().AddLogging()
            .AddPipelineEngines(new ConfigurationBuilder().Build(), settings)
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<EngineOptions>>().Value;
        Assert.Equal(expected, options.StepPlacement);
        Assert.Equal("resnet18", options.Model);
    }

    [Theory]
    [InlineData("graph", PoolPlacement.Graph)]
    [InlineData("managed", PoolPlacement.Managed)]
    public void Serve_pool_placement_reaches_the_engines(string option, PoolPlacement expected)
    {
        var settings = new ServeCommand.Settings { Pool = option, Model = "resnet18" };
        using var provider = new ServiceCollection().AddLogging()
            .AddPipelineEngines(new ConfigurationBuilder().Build(), settings)
            .BuildServiceProvider();

        Assert.Equal(expected, provider.GetRequiredService<IOptions<EngineOptions>>().Value.PoolPlacement);
    }
}
