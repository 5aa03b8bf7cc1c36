using NeuralArt.Cli.Commands;
using NeuralArt.Contract;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Cli.Tests;

/// <summary><c>neuralart style</c> end to end on the CPU at a tiny size: the file, the summary line, the errors.</summary>
[Collection(ConsoleCollection.Name)]
public class StyleCommandTests
{
    private static string Samples => Path.Combine(Path.GetDirectoryName(ModelCatalog.Locate().Directory)!, "samples");

    private static string Cat => Path.Combine(Samples, "content", "cat_chelsea.png");

    private static string Starry => Path.Combine(Samples, "style", "van_gogh_starry_night.jpg");

    private static string Scream => Path.Combine(Samples, "style", "munch_the_scream.jpg");

    [Fact]
    public async Task Writes_the_result_and_a_summary_line()
    {
        var output = Path.Combine(Path.GetTempPath(), $"neuralart-style-{Guid.NewGuid():N}.png");
        try
        {
            var (code, text) = await RunAsync(Cat, $"{Starry},{Scream}", "-o", output, "--style-blend", "0.7,0.3", "--scales", "48,64",
                "--iterations", "2", "--preserve-colors", "luminance", "--seed", "3", "--provider", "cpu");
            Assert.True(code == 0, text);
            Assert.True(new FileInfo(output).Length > 0);
            Assert.Contains("Wrote", text);
            Assert.Contains("(64x43)", text);
            Assert.Contains("2 style(s)", text);
            Assert.Contains("seed 3", text);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Masks_give_each_style_its_region()
    {
        var folder = Directory.CreateTempSubdirectory("neuralart-style-masks-").FullName;
        try
        {
            // Starry Night on the left half, The Scream on the right: one --mask per style, same order.
            var left = Path.Combine(folder, "left.png");
            var right = Path.Combine(folder, "right.png");
            WriteHalfMask(left, 451, 300, leftWhite: true);
            WriteHalfMask(right, 451, 300, leftWhite: false);
            var output = Path.Combine(folder, "out.png");
            var (code, text) = await RunAsync(Cat, $"{Starry},{Scream}", "-o", output, "--mask", left, "--mask", right, "--scales", "64",
                "--iterations", "2", "--seed", "3", "--provider", "cpu");
            Assert.True(code == 0, text);
            Assert.True(new FileInfo(output).Length > 0);
            Assert.Contains("(64x43)", text);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Style_masks_reach_the_engine_one_per_style_image()
    {
        var folder = Directory.CreateTempSubdirectory("neuralart-style-style-masks-").FullName;
        try
        {
            // The left half of Starry Night: a mask of the painting's shape runs; one of the photo's
            // shape (not the painting's) is refused by the engine under the option's name, which it
            // can only be if the option passed the file on as a style mask.
            var starry = SixLabors.ImageSharp.Image.Identify(Starry);
            var half = Path.Combine(folder, "starry-left.png");
            WriteHalfMask(half, starry.Width, starry.Height, leftWhite: true);
            var output = Path.Combine(folder, "out.png");
            var (code, text) = await RunAsync(Cat, Starry, "-o", output, "--style-mask", half, "--scales", "64",
                "--iterations", "2", "--seed", "3", "--provider", "cpu");
            Assert.True(code == 0, text);
            Assert.True(new FileInfo(output).Length > 0);

            var photoShaped = Path.Combine(folder, "photo-shaped.png");
            WriteHalfMask(photoShaped, 451, 300, leftWhite: true);
            var error = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => RunAsync(propagate: true, Cat, Starry, "-o", output,
                "--style-mask", photoShaped, "--scales", "64", "--iterations", "1", "--provider", "cpu"));
            Assert.StartsWith("--style-mask:", error.Message);
            Assert.Contains("style image's shape", error.Message);

            // The count rule is the engine's (the same words at the door and in the inbox), named by the option.
            var count = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
                RunAsync(propagate: true, Cat, $"{Starry},{Scream}", "-o", output, "--style-mask", half, "--scales", "64", "--provider", "cpu"));
            Assert.StartsWith("--style-mask:", count.Message);
            Assert.Contains("1 style masks for 2 style images", count.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void WriteHalfMask(string path, int width, int height, bool leftWhite)
    {
        using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++) image[x, y] = new SixLabors.ImageSharp.PixelFormats.L8((x < width / 2) == leftWhite ? (byte)255 : (byte)0);
        }
        SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, path);
    }

    [Theory]
    [InlineData("--scales", "512,256", "--scales")]
    [InlineData("--style-blend", "1", "--style-blend")]
    [InlineData("--optimizer", "sgd", "--optimizer")]
    [InlineData("--init", "no-such-file.png", "does not exist")]
    public async Task Bad_options_fail_with_a_message_naming_them(string option, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            RunAsync(propagate: true, Cat, $"{Starry},{Scream}", "-o", "unused.png", option, value, "--provider", "cpu"));
        Assert.Contains(expected, error.Message);
        Assert.False(File.Exists("unused.png"));
    }

    [Fact]
    public async Task A_missing_style_image_is_named()
    {
        var error = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            RunAsync(propagate: true, Cat, "no-such-style.jpg", "-o", "unused.png", "--provider", "cpu"));
        Assert.Contains("no-such-style.jpg", error.Message);
    }

    private static Task<(int Code, string Output)> RunAsync(params string[] args) => RunAsync(false, args);

    private static Task<(int Code, string Output)> RunAsync(bool propagate, params string[] args) =>
        CommandRunner.RunAsync<StyleCommand>(args, propagate);
}
