using System.ComponentModel;
using System.Globalization;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Contract;
using NeuralArt.Engine.Common;
using NeuralArt.Engine.Runtime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Objectives;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart gradient &lt;image&gt; --layers ... -o grad.npy</c>: the DeepDream objective's gradient
/// for the image exactly as it is (not resized), written as NumPy float32 [1,3,H,W]; prints the loss.
/// </summary>
public sealed class GradientCommand : AsyncCommand<GradientCommand.Settings>
{
    private const string NpyExtension = ".npy";

    public sealed class Settings : RuntimeSettings
    {
        [CommandArgument(0, "<image>")]
        [Description("Image (JPEG, PNG, WebP, BMP or GIF); used at its own size.")]
        public string Image { get; init; } = "";

        [CommandOption("--layers <TAPS>")]
        [Description("Taps and weights (default: the model's recommended dream taps).")]
        public string? Layers { get; init; }

        [CommandOption("--channels <LIST>")]
        [Description("Only these channels of the taps.")]
        public string? Channels { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the gradient (.npy).")]
        public string? Output { get; init; }

        public override ValidationResult Validate()
        {
            var baseResult = base.Validate();
            if (!baseResult.Successful) return baseResult;
            if (string.IsNullOrWhiteSpace(Output) || !Output.EndsWith(NpyExtension, StringComparison.OrdinalIgnoreCase))
                return ValidationResult.Error("Give the output file with -o <file.npy>.");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var services = CliServices.Create(settings);
        var channels = settings.Channels is null ? null : ChannelList.Parse(settings.Channels);
        using var image = await services.Loader.LoadFileAsync(settings.Image, EngineDescriptor.SourceRole, cancellationToken);
        var tensor = image.ToTensor();

        var manifest = services.Graphs.GetManifest(settings.Model);
        var taps = TapOptions.Resolve(manifest, settings.Layers);
        var dream = new DreamParameters(taps, channels);
        var graph = services.Graphs.GetGraph(manifest, dream.Objective());
        using var lease = services.Sessions.Rent(graph.Path);
        using var split = PoolSplitSessions.TryRent(services.Graphs, services.Sessions, graph, services.EngineOptions.PoolPlacement);
        using var runner = new GradientRunner(lease.Session, split: split);
        NeuralArt.Engine.Dream.DreamGraphInputs.Set(runner, dream, guided: false);
        var grad = new ImageTensor(tensor.Height, tensor.Width);
        var loss = await Task.Run(() => runner.Run(tensor, grad, cancellationToken), cancellationToken);
        if (!float.IsFinite(loss)) throw new InvalidOperationException($"The loss is not finite ({loss}).");

        var output = settings.Output!;
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        if (directory is not null) Directory.CreateDirectory(directory);
        NpyWriter.Write(output, grad.Data, grad.Shape);
        services.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"loss {loss:R} ({manifest.Name} {TapWeights.Format(taps)}); wrote {output}: float32 [1,3,{tensor.Height},{tensor.Width}], mean |grad| {TensorOps.MeanAbs(grad.Data):G4}.")));
        return 0;
    }
}
