using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace NeuralArt.Cli.Rendering;

/// <summary>
/// Writes log messages as one dim line each through Spectre.Console, so they interleave cleanly
/// with progress bars (the standard console logger writes around Spectre's live display).
/// </summary>
internal sealed class ConsoleLoggerProvider(IAnsiConsole console, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(console, minimum);

    public void Dispose() { }

    private sealed class Logger(IAnsiConsole console, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var text = Markup.Escape(formatter(state, exception));
            console.MarkupLine(logLevel switch
            {
                >= LogLevel.Error => $"[red]{text}[/]",
                LogLevel.Warning => $"[yellow]{text}[/]",
                _ => $"[grey]{text}[/]",
            });
        }
    }
}
