using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Host;
using NeuralArt.Host.Http;
using NeuralArt.Pipeline.Chunks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart serve</c>: the local host. The pipeline's orchestrations on the Durable Task
/// Framework over Azure Storage (Azurite by default), the HTTP API on 127.0.0.1 with a function key,
/// and the inbox watcher. Several <c>serve</c> processes on one storage account and task hub share the jobs.
/// </summary>
public sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : RuntimeSettings
    {
        [CommandOption("--storage <CONNECTION>")]
        [Description("Storage connection string (default: NEURALART_STORAGE, else AZURITE_CONNECTION_STRING, else Azurite on its default ports).")]
        public string? Storage { get; init; }

        [CommandOption("--url <URL>")]
        [Description("Loopback address to serve the HTTP API on.")]
        [DefaultValue("http://127.0.0.1:7071")]
        public string Url { get; init; } = "http://127.0.0.1:7071";

        [CommandOption("--task-hub <NAME>")]
        [Description("Durable task hub: hosts sharing one share the work.")]
        [DefaultValue("neuralart")]
        public string TaskHub { get; init; } = "neuralart";

        [CommandOption("--key <KEY>")]
        [Description("Function key clients must send (default: the one in ~/.neuralart/function.key, generated on first use).")]
        public string? Key { get; init; }

        [CommandOption("--no-inbox")]
        [Description("Do not watch the inbox container.")]
        public bool NoInbox { get; init; }

        [CommandOption("--chunk-seconds <S>")]
        [Description("Time budget of one chunk (activity) of a job.")]
        [DefaultValue(60.0)]
        public double ChunkSeconds { get; init; } = 60;

        [CommandOption("--activities <N>")]
        [Description("Chunks this host runs at once (one per GPU).")]
        [DefaultValue(1)]
        public int Activities { get; init; } = 1;

        [CommandOption("--executor <WHERE>")]
        [Description("Where chunks run: inProcess (this host runs the engine) or queued (on `neuralart worker` processes reading the chunk queue).")]
        [DefaultValue(ChunkExecutors.InProcess)]
        public string Executor { get; init; } = ChunkExecutors.InProcess;

        public override ValidationResult Validate()
        {
            var result = base.Validate();
            if (!result.Successful) return result;
            if (!ChunkExecutors.IsKnown(Executor)) return ValidationResult.Error($"--executor must be {ChunkExecutors.InProcess} or {ChunkExecutors.Queued}.");
            if (ChunkSeconds is < 1 or > 3600) return ValidationResult.Error("--chunk-seconds must be from 1 to 3600.");
            if (Activities is < 1 or > 64) return ValidationResult.Error("--activities must be from 1 to 64.");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var storage = StorageConnection.Resolve(settings.Storage);
        string[] args =
        [
            string.Create(CultureInfo.InvariantCulture, $"--NeuralArt:Pipeline:ChunkTimeBudgetSeconds={settings.ChunkSeconds}"),
            $"--{ChunkQueueOptions.SectionName}:{nameof(ChunkQueueOptions.Executor)}={settings.Executor}",
        ];
        await using var app = LocalHost.Build(args, (services, configuration) => services.AddPipelineEngines(configuration, settings), options =>
        {
            options.StorageConnectionString = storage;
            options.Url = settings.Url;
            options.TaskHubName = settings.TaskHub;
            options.FunctionKey = settings.Key ?? options.FunctionKey;
            options.WatchInbox = !settings.NoInbox;
            options.MaxConcurrentActivities = settings.Activities;
        });

        await app.StartAsync(cancellationToken);
        var options = app.Services.GetRequiredService<IOptions<LocalHostOptions>>().Value;
        AnsiConsole.MarkupLine(Markup.Escape(
            $"Serving the NeuralArt API on {settings.Url}/api/jobs (task hub '{settings.TaskHub}', storage {StorageConnection.Describe(storage)}, chunks {settings.Executor})."));
        AnsiConsole.MarkupLine(Markup.Escape(settings.Key is null && string.IsNullOrEmpty(options.FunctionKey)
            ? $"Function key: in {options.KeyFile} (send it as the x-functions-key header). Ctrl+C stops."
            : "Function key: the one given with --key (send it as the x-functions-key header). Ctrl+C stops."));
        // The ready link: the key rides in the URL fragment, which browsers never send to a server (so it
        // is in no request line or access log); the page moves it into the tab's session storage. Written
        // to the terminal alone, unwrapped (Spectre wraps long lines, which would break the link).
        Console.Out.WriteLine($"Dashboard: {DashboardLink(settings.Url, app.Services.GetRequiredService<FunctionKey>().Value)}");
        await Console.Out.FlushAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    /// <summary><c>http://127.0.0.1:7071/#key=...</c>: the dashboard with its key in the fragment.</summary>
    public static string DashboardLink(string url, string key) => $"{url.TrimEnd('/')}/#key={Uri.EscapeDataString(key)}";
}
