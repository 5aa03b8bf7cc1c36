using System.Globalization;
using System.Text.RegularExpressions;
using NeuralArt.Cli.Commands;

namespace NeuralArt.Cli.Tests;

/// <summary>
/// <c>neuralart bench</c> at toy sizes: the wiring of its figures, not their values (timings are a
/// benchmark's business, never a test's).
/// </summary>
[Collection(ConsoleCollection.Name)]
public partial class BenchCommandTests
{
    [Fact]
    public async Task Every_step_and_the_dream_are_set_against_their_convolution_floor()
    {
        var (code, output) = await RunAsync("--provider", "cpu", "--sizes", "48,64", "--repeats", "3",
            "--dream-size", "80", "--dream-octaves", "2", "--dream-iterations", "2", "--no-style");

        Assert.Equal(0, code);
        Assert.Matches(@"convolutions run at [0-9.]+ GMAC/s", output);
        foreach (var side in new[] { 48, 64 })
        {
            // Before and after: the pool in the graph and the managed pool, each with the floor and the pool's share.
            var lines = StepLine().Matches(output).Where(m => m.Groups["side"].Value == side.ToString(CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(["pool in the graph (before)", "managed pool (after)"], lines.Select(m => m.Groups["label"].Value));
            Assert.All(lines, line => Assert.True(double.Parse(line.Groups["floor"].Value, CultureInfo.InvariantCulture) > 0));
            Assert.All(lines, line => Assert.True(double.Parse(line.Groups["pool"].Value, CultureInfo.InvariantCulture) > 0));
            Assert.Matches($@"{side}px: managed / graph step [0-9.]+ \(medians of 3 alternated pairs\); split step parts, mean ms: Pre [0-9.]+, PoolForward [0-9.]+, Rest [0-9.]+, PoolBackward [0-9.]+, Back [0-9.]+", output);
        }
        Assert.Matches(@"DeepDream convolution floor: [0-9.]+ T multiply-adds at [0-9.]+ GMAC/s = [0-9.]+ s", output);
    }

    [GeneratedRegex(@"(?<side>\d+)px (?<label>pool in the graph \(before\)|managed pool \(after\)): step [0-9.]+ ms, forward [0-9.]+ ms, ratio [0-9.]+; convolution floor (?<floor>[0-9.]+) ms, step / floor [0-9.]+; max-pool and its backward (?<pool>[0-9.]+) ms, [0-9.]+% of the step")]
    private static partial Regex StepLine();

    private static Task<(int Code, string Output)> RunAsync(params string[] args) =>
        CommandRunner.RunAsync<BenchCommand>(args, width: CommandRunner.UnwrappedWidth);
}
