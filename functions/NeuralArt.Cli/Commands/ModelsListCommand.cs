using System.ComponentModel;
using System.Globalization;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary><c>neuralart models list</c>: the manifests, their taps and recommendations, and the compiled-graph cache.</summary>
public sealed class ModelsListCommand : Command<ModelsListCommand.Settings>
{
    private const double Mebibyte = 1024 * 1024;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--models <DIR>")]
        [Description("Models folder (default: NEURALART_MODELS, else the nearest models/ folder).")]
        public string? ModelsDirectory { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var catalog = ModelCatalog.Locate(settings.ModelsDirectory);
        var console = AnsiConsole.Console;
        var table = new Table().Title($"Models in {Markup.Escape(catalog.Directory)}")
            .AddColumns("Model", "Backbone", "Taps", "Recommended");
        foreach (var name in catalog.Names)
        {
            BackboneManifest manifest;
            try
            {
                manifest = BackboneManifest.Load(Path.Combine(catalog.Directory, name + ".json"));
            }
            catch (GraphCompilationException ex)
            {
                table.AddRow(Markup.Escape(name), "[red]invalid manifest[/]", Markup.Escape(ex.Message), "");
                continue;
            }
            var backbone = File.Exists(manifest.BackbonePath)
                ? $"{Markup.Escape(manifest.Backbone)} ({new FileInfo(manifest.BackbonePath).Length / Mebibyte:F0} MiB)"
                : $"[red]missing[/] {Markup.Escape(manifest.Backbone)} (run dotnet build)";
            table.AddRow(
                Markup.Escape(name),
                backbone,
                Markup.Escape(string.Join(", ", manifest.Taps.Keys)),
                Markup.Escape($"dream {Format(manifest.Recommended.Dream)}; style {Format(manifest.Recommended.Style)}; content {Format(manifest.Recommended.Content)}"));
        }
        console.Write(table);

        var compiled = Directory.Exists(catalog.CacheDirectory)
            ? new DirectoryInfo(catalog.CacheDirectory).GetFiles("*.onnx").OrderBy(f => f.Name, StringComparer.Ordinal).ToList()
            : [];
        if (compiled.Count == 0)
        {
            console.MarkupLine("No compiled graphs yet: they compile on first use, or with [bold]neuralart models compile[/].");
            return 0;
        }
        var cache = new Table().Title($"Compiled graphs in {Markup.Escape(catalog.CacheDirectory)}").AddColumns("File", "Size", "Written");
        foreach (var file in compiled)
        {
            cache.AddRow(Markup.Escape(file.Name), $"{file.Length / Mebibyte:F1} MiB",
                file.LastWriteTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }
        console.Write(cache);
        return 0;
    }

    private static string Format(IReadOnlyDictionary<string, float> taps) =>
        taps.Count == 0 ? "-" : string.Join(",", taps.Select(t => $"{t.Key}:{t.Value.ToString(CultureInfo.InvariantCulture)}"));
}
