using NeuralArt.Cli.Commands;
using NeuralArt.Contract;
using NeuralArt.Graphs.Compilation;
using SixLabors.ImageSharp;

namespace NeuralArt.Cli.Tests;

/// <summary><c>neuralart zoom</c> end to end on the CPU at a tiny size: frames, GIF and MP4 in the folder, the summary, option errors.</summary>
[Collection(ConsoleCollection.Name)]
public class ZoomCommandTests
{
    private static string Cat => Path.Combine(Path.GetDirectoryName(ModelCatalog.Locate().Directory)!, "samples", "content", "cat_chelsea.png");

    [Fact]
    public async Task Writes_the_frames_the_animations_and_a_summary_line()
    {
        var folder = Directory.CreateTempSubdirectory("neuralart-zoom-cli-").FullName;
        try
        {
            var (code, text) = await CommandRunner.RunAsync<ZoomCommand>(
                [Cat, "-o", folder, "--frames", "3", "--max-size", "48", "--octaves", "1", "--iterations", "1", "--rotate", "2", "--seed", "3", "--provider", "cpu"],
                width: CommandRunner.UnwrappedWidth);

            Assert.True(code == 0, text);
            for (var k = 0; k < 3; k++) Assert.True(File.Exists(Path.Combine(folder, FrameNames.File(k))), $"frame {k} missing: {text}");
            Assert.False(File.Exists(Path.Combine(folder, FrameNames.File(3))));
            using (var gif = Image.Load(Path.Combine(folder, "animation.gif"))) Assert.Equal(3, gif.Frames.Count);
            Assert.True(new FileInfo(Path.Combine(folder, "animation.mp4")).Length > 0);
            Assert.Contains("Wrote 3 frames (48x32)", text);
            Assert.Contains("animation.gif and animation.mp4", text);
            Assert.Contains("seed 3", text);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("--zoom", "1", "--zoom: zoom must be above 1")]
    [InlineData("--fps", "0", "--fps: fps must be from 1")]
    [InlineData("--shift-x", "1000", "--shift-x: shiftX must be")]
    [InlineData("--animations", "avi", "--animations: animations must be one of")]
    public async Task Out_of_range_options_are_refused_under_their_name(string option, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<InvalidArtworkInputException>(() =>
            CommandRunner.RunAsync<ZoomCommand>([Cat, "-o", "unused-zoom", option, value, "--provider", "cpu"], propagate: true));
        Assert.StartsWith(expected, error.Message);
        Assert.False(Directory.Exists("unused-zoom"));
    }
}
