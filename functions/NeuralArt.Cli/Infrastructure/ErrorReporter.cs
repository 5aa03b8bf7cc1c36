using NeuralArt.Contract;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>
/// Turns any failure into one readable line on the console and a non-zero exit code: bad input
/// and bad options exit with 1, failures of the machine or the runtime with 2. Set
/// <c>NEURALART_DEBUG=1</c> for the stack trace.
/// </summary>
internal static class ErrorReporter
{
    public const int ExitBadInput = 1;
    public const int ExitFailure = 2;
    private const string DebugVariable = "NEURALART_DEBUG";

    private static readonly Lazy<IAnsiConsole> StandardError = new(() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));

    public static int Report(Exception exception, ITypeResolver? resolver)
    {
        var (message, code) = Describe(exception);
        var console = StandardError.Value;
        console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        if (Environment.GetEnvironmentVariable(DebugVariable) == "1") console.WriteException(exception);
        return code;
    }

    private static (string Message, int Code) Describe(Exception exception) => exception switch
    {
        CommandAppException cli => (OneLine(cli.Message), ExitBadInput),
        InvalidArtworkInputException input => (OneLine(input.Message), ExitBadInput),
        GraphCompilationException graph => (OneLine(graph.Message), ExitBadInput),
        ExecutionProviderUnavailableException provider => (OneLine(provider.Message), ExitFailure),
        OperationCanceledException => ("cancelled.", ExitFailure),
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        _ => ($"{OneLine(exception.Message)} ({exception.GetType().Name}; set {DebugVariable}=1 for details)", ExitFailure),
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
