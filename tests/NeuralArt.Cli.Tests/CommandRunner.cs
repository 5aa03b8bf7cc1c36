using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Tests;

/// <summary>
/// Runs one CLI command in-process with the global console swapped for a plain-text buffer, as a
/// user's terminal would show it without colours. Tests using it belong to <see cref="ConsoleCollection"/>.
/// </summary>
internal static class CommandRunner
{
    /// <summary>Wide enough that no line of output wraps, for tests that match figures on one line.</summary>
    public const int UnwrappedWidth = 400;

    /// <param name="propagate">Let the command's exception out (the app's handler prints it to stderr).</param>
    /// <param name="width">Console width in columns; null keeps the default.</param>
    public static async Task<(int Code, string Output)> RunAsync<TCommand>(string[] args, bool propagate = false, int? width = null)
        where TCommand : class, ICommand
    {
        var writer = new StringWriter();
        var previous = AnsiConsole.Console;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        if (width is { } columns) console.Profile.Width = columns;
        AnsiConsole.Console = console;
        try
        {
            var app = new CommandApp<TCommand>();
            if (propagate) app.Configure(c => c.PropagateExceptions());
            var code = await app.RunAsync(args);
            return (code, writer.ToString());
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }
}

/// <summary>Tests that swap the global console run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
