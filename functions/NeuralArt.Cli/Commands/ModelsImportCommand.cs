using System.ComponentModel;
using Google.Protobuf;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Import;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart models import &lt;model.json&gt; --name &lt;name&gt;</c>: converts a TF.js layers model
/// (a Keras CNN) into an ONNX backbone in the models folder's <c>backbones/</c>, and writes a manifest
/// skeleton listing every Concatenate, Add and activation output as a tap (an existing manifest is
/// kept unless <c>--force</c>). The build runs it for the shipped Inception v3.
/// </summary>
public sealed class ModelsImportCommand : Command<ModelsImportCommand.Settings>
{
    private const string BackboneFolder = "backbones";

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL_JSON>")]
        [Description("The TF.js model.json (its .bin weight files next to it).")]
        public string ModelJson { get; init; } = "";

        [CommandOption("--name <NAME>")]
        [Description("Model name: the manifest is <NAME>.json, the backbone backbones/<NAME>.onnx.")]
        public string Name { get; init; } = "";

        [CommandOption("--models <DIR>")]
        [Description("Models folder (default: NEURALART_MODELS, else the nearest models/ folder).")]
        public string? ModelsDirectory { get; init; }

        [CommandOption("--force")]
        [Description("Overwrite an existing manifest with the skeleton.")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny([.. Path.GetInvalidFileNameChars(), '.']) >= 0)
                return ValidationResult.Error("--name must be a plain file name without dots, for example inception_v3.");
            if (!File.Exists(ModelJson)) return ValidationResult.Error($"'{ModelJson}' does not exist.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        var catalog = ModelCatalog.Locate(settings.ModelsDirectory);
        var import = TfjsImporter.Import(settings.ModelJson);
        var relative = Path.Combine(BackboneFolder, settings.Name + ".onnx");
        var backbone = Path.Combine(catalog.Directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(backbone)!);
        // Written next to the target and moved, so a reader never sees half a file.
        var partial = backbone + ".partial";
        File.WriteAllBytes(partial, import.Model.ToByteArray());
        File.Move(partial, backbone, overwrite: true);
        console.MarkupLine(Markup.Escape($"Wrote {backbone} ({import.Model.Graph.Node.Count} nodes, input '{import.Input}', outputs {string.Join(", ", import.Outputs)})."));

        var manifestPath = Path.Combine(catalog.Directory, settings.Name + ".json");
        if (File.Exists(manifestPath) && !settings.Force)
        {
            console.MarkupLine(Markup.Escape($"Kept the existing manifest {manifestPath} (--force replaces it with a skeleton)."));
            return 0;
        }
        ManifestSkeleton.For(import, settings.Name, relative).Save(manifestPath);
        console.MarkupLine(Markup.Escape(
            $"Wrote the manifest skeleton {manifestPath} with {import.TapCandidates.Count} taps. Set its preprocessing and recommended taps, then run 'neuralart models check {settings.Name}'."));
        return 0;
    }
}
