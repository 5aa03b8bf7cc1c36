using NeuralArt.Cli.Commands;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Manifests;
using Onnx;

namespace NeuralArt.Cli.Tests;

/// <summary>
/// <c>neuralart models import</c> on the TF.js model the build writes (nsfwjs' Inception v3), into a
/// scratch models folder: the backbone and the manifest skeleton, which a second import keeps and
/// <c>--force</c> replaces.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ModelsImportCommandTests : IDisposable
{
    private const string Name = "imported";

    private readonly string _models = Directory.CreateTempSubdirectory("models-import-").FullName;

    public void Dispose() => Directory.Delete(_models, recursive: true);

    [Fact]
    public async Task Import_writes_the_backbone_and_a_manifest_skeleton_it_then_keeps()
    {
        var modelJson = Path.Combine(ModelCatalog.Locate().Directory, "backbones", "inception_v3_tfjs", "model.json");
        Assert.True(File.Exists(modelJson), $"{modelJson} is missing: run 'npm ci' in the repository, then build.");

        var (code, output) = await Import(modelJson);
        Assert.Equal(0, code);
        Assert.Contains("manifest skeleton", output);
        var manifestPath = Path.Combine(_models, Name + ".json");
        var manifest = BackboneManifest.Load(manifestPath);
        Assert.Equal("input_1", manifest.Input);
        Assert.Equal("backbones/imported.onnx", manifest.Backbone);
        // Every block output and activation is a tap, named after its layer (and tensor).
        foreach (var tap in new[] { "mixed0", "mixed5", "mixed10", "activation_1", "activation_94" }) Assert.Equal(tap, manifest.Taps[tap]);
        var backbone = ModelProto.Parser.ParseFrom(File.ReadAllBytes(manifest.BackbonePath));
        var input = backbone.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(["N", "", "H", "W"], input.Select(d => d.DimParam));
        Assert.Equal(3, input[1].DimValue);

        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("\"taps\"", "\"description\": \"edited\", \"taps\"", StringComparison.Ordinal));
        (code, output) = await Import(modelJson);
        Assert.Equal(0, code);
        Assert.Contains("Kept the existing manifest", output);
        Assert.Equal("edited", BackboneManifest.Load(manifestPath).Description);

        (code, _) = await Import(modelJson, "--force");
        Assert.Equal(0, code);
        Assert.NotEqual("edited", BackboneManifest.Load(manifestPath).Description);
    }

    [Fact]
    public async Task A_name_with_a_path_is_refused()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => CommandRunner.RunAsync<ModelsImportCommand>(
            ["model.json", "--name", "../x", "--models", _models], propagate: true));
        Assert.Contains("--name", ex.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_models));
    }

    private Task<(int Code, string Output)> Import(string modelJson, params string[] extra) =>
        CommandRunner.RunAsync<ModelsImportCommand>([modelJson, "--name", Name, "--models", _models, .. extra],
            width: CommandRunner.UnwrappedWidth);
}
