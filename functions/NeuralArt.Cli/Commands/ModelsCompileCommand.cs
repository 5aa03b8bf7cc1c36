using System.ComponentModel;
using System.Diagnostics;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Engine.Common;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart models compile [model]</c>: compiles (or finds in the cache) the graphs that
/// <c>dream</c> and <c>bench</c> use for a model (all models by default): the dream gradient graph
/// and the forward features graph of the given or recommended dream taps, and the guided dream graph.
/// </summary>
public sealed class ModelsCompileCommand : Command<ModelsCompileCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[model]")]
        [Description("Model to compile (default: every model in the folder).")]
        public string? Model { get; init; }

        [CommandOption("--layers <TAPS>")]
        [Description("Dream taps (default: each model's recommended dream taps).")]
        public string? Layers { get; init; }

        [CommandOption("--models <DIR>")]
        [Description("Models folder (default: NEURALART_MODELS, else the nearest models/ folder).")]
        public string? ModelsDirectory { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var catalog = ModelCatalog.Locate(settings.ModelsDirectory);
        var cache = new CompiledModelCache(catalog);
        var names = settings.Model is { } one ? [one] : catalog.Names;
        var table = new Table().AddColumns("Model", "Objective", "Graph", "Time");
        foreach (var name in names)
        {
            var manifest = catalog.Get(name);
            var taps = TapOptions.Resolve(manifest, settings.Layers);
            Objective[] objectives =
            [
                new DreamObjective(taps.Select(t => t.Tap)),
                new FeaturesObjective(taps.Select(t => t.Tap).ToList()),
                new GuidedDreamObjective(taps.Select(t => t.Tap)),
            ];
            foreach (var objective in objectives)
            {
                var clock = Stopwatch.StartNew();
                var graph = cache.GetOrCompile(manifest, objective);
                table.AddRow(Markup.Escape(name), Markup.Escape(objective.CacheKey), Markup.Escape(Path.GetFileName(graph.Path)),
                    $"{clock.Elapsed.TotalSeconds:F1} s");
            }
            AnsiConsole.MarkupLine(Markup.Escape($"{name}: dream taps {TapWeights.Format(taps)}"));
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
