using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Host;
using NeuralArt.Pipeline.Chunks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart worker</c>: a chunk worker for hosts running with the queued executor (<c>serve
/// --executor queued</c>, or the Functions app in Azure, where this is the GPU job's entry point). It
/// takes chunk messages until the queue has been empty for the idle time, then exits; any number of
/// workers share one queue. SIGTERM or Ctrl+C ends it within the grace period, storage or not.
/// </summary>
public sealed class WorkerCommand : AsyncCommand<WorkerCommand.Settings>
{
    public sealed class Settings : RuntimeSettings
    {
        [CommandOption("--storage <CONNECTION>")]
        [Description("Storage connection string (default: NEURALART_STORAGE, else AZURITE_CONNECTION_STRING, else Azurite on its default ports).")]
        public string? Storage { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("This worker's name, recorded with each chunk it runs (default: machine and process id).")]
        public string? Name { get; init; }

        // Unset options leave the configuration's values (NeuralArt__Chunks__*, NeuralArt__Host__*: the GPU job's settings).
        [CommandOption("--idle-seconds <S>")]
        [Description("Exit after the queue has been empty this long (0: never; default NeuralArt:Chunks:WorkerIdleTimeout, 60 s).")]
        public double? IdleSeconds { get; init; }

        [CommandOption("--grace-seconds <S>")]
        [Description("How long SIGTERM or Ctrl+C may take to end the worker (default NeuralArt:Host:ShutdownGracePeriod, 30 s: Container Apps' own).")]
        public double? GraceSeconds { get; init; }

        public override ValidationResult Validate()
        {
            var result = base.Validate();
            if (!result.Successful) return result;
            if (IdleSeconds is < 0 or > 86400) return ValidationResult.Error("--idle-seconds must be from 0 to 86400.");
            if (GraceSeconds is < 1 or > 3600) return ValidationResult.Error("--grace-seconds must be from 1 to 3600.");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var storage = StorageConnection.Resolve(settings.Storage);
        var args = new List<string>();
        if (settings.IdleSeconds is { } idle)
        {
            args.Add(string.Create(CultureInfo.InvariantCulture, $"--{ChunkQueueOptions.SectionName}:{nameof(ChunkQueueOptions.WorkerIdleTimeout)}={TimeSpan.FromSeconds(idle)}"));
        }

        if (settings.Name is { Length: > 0 } name)
        {
            args.Add($"--{ChunkQueueOptions.SectionName}:{nameof(ChunkQueueOptions.WorkerName)}={name}");
        }

        using var worker = LocalHost.BuildWorker([.. args], (services, configuration) => services.AddPipelineEngines(configuration, settings), options =>
        {
            options.StorageConnectionString = storage;
            if (settings.GraceSeconds is { } grace) options.ShutdownGracePeriod = TimeSpan.FromSeconds(grace);
        });
        AnsiConsole.MarkupLine(Markup.Escape($"Chunk worker on storage {StorageConnection.Describe(storage)}; exits when the chunk queue stays empty. Ctrl+C stops."));
        await worker.RunAsync(cancellationToken);
        return 0;
    }
}
