using NeuralArt.Cli.Commands;

namespace NeuralArt.Cli.Tests;

/// <summary>Every command's help renders: option descriptions are console markup, and a stray [..] breaks them.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class HelpTests
{
    [Fact]
    public async Task Every_command_prints_its_help()
    {
        var outputs = new[]
        {
            await CommandRunner.RunAsync<DreamCommand>(["--help"]),
            await CommandRunner.RunAsync<StyleCommand>(["--help"]),
            await CommandRunner.RunAsync<ZoomCommand>(["--help"]),
            await CommandRunner.RunAsync<GradientCommand>(["--help"]),
            await CommandRunner.RunAsync<BenchCommand>(["--help"]),
            await CommandRunner.RunAsync<ServeCommand>(["--help"]),
            await CommandRunner.RunAsync<SubmitCommand>(["--help"]),
            await CommandRunner.RunAsync<PipelineBenchCommand>(["--help"]),
            await CommandRunner.RunAsync<DoctorCommand>(["--help"]),
        };

        // A description that is not valid markup ends the help with an error (exit code not 0).
        Assert.All(outputs, o => Assert.Equal(0, o.Code));
    }
}
