using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NeuralArt.Cli.Commands;
using NeuralArt.Contract;
using NeuralArt.Engine;
using NeuralArt.Host;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Cli.Tests;

/// <summary><c>neuralart sweep</c> against a local host on Azurite (blur engines): a line per cell, the results and the sheet downloaded; a bad axis refused naming it.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SweepCommandTests
{
    private const string Key = "cli-sweep-key";

    [Fact]
    public async Task Sweep_follows_every_cell_and_downloads_the_results_and_the_sheet()
    {
        await using var azurite = await Azurite.StartAsync();
        await new BlobArtworkStore(new BlobServiceClient(azurite.ConnectionString)).EnsureContainersAsync();
        var url = $"http://127.0.0.1:{Azurite.FreePort()}";
        await using var host = LocalHost.Build(
            [
                $"--NeuralArt:Host:StorageConnectionString={azurite.ConnectionString}",
                $"--NeuralArt:Host:TaskHubName=clisweep{Guid.NewGuid():N}"[..40],
                $"--NeuralArt:Host:FunctionKey={Key}",
                $"--NeuralArt:Host:Url={url}",
                "--NeuralArt:Host:WatchInbox=false",
                "--NeuralArt:Limits:AdmissionPollInterval=00:00:01",
            ],
            (services, configuration) => services.AddImageInputs(configuration).AddSingleton<IArtworkEngine>(new BlurEngine(ArtworkKinds.Dream)));
        await host.StartAsync();
        var folder = Directory.CreateTempSubdirectory("neuralart-sweep-").FullName;
        try
        {
            var image = Path.Combine(folder, "cat.png");
            await File.WriteAllBytesAsync(image, TestImages.Png(32, 24, seed: 2));
            var output = Path.Combine(folder, "out");
            string[] common = [image, "--kind", "dream", "-o", output, "--url", url, "--key", Key, "--storage", azurite.ConnectionString];

            var (code, text) = await CommandRunner.RunAsync<SweepCommand>([.. common, "--axis", "iterations=1,2", "--axis", "phases=1,2"], width: CommandRunner.UnwrappedWidth);

            Assert.True(code == 0, text);
            for (var cell = 0; cell < 4; cell++)
            {
                Assert.Matches($@"cell {cell} iterations=\d phases=\d: completed -> .*cat_dream_c{cell}_iterations=\d_phases=\d\.png", text);
            }

            Assert.Equal(4, Directory.GetFiles(output, "cat_dream_c*.png").Length);
            Assert.True(File.Exists(Path.Combine(output, "sheet.png")));
            using var layout = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(output, "sheet.json")));
            Assert.Empty(SheetInk.Read(await File.ReadAllBytesAsync(Path.Combine(output, "sheet.png")), layout.RootElement).CellsWithoutInk);

            var (refused, answer) = await CommandRunner.RunAsync<SweepCommand>([.. common, "--axis", "strength=1,2"], width: CommandRunner.UnwrappedWidth);
            Assert.NotEqual(0, refused);
            Assert.Contains("400 (axes.strength)", answer);
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
