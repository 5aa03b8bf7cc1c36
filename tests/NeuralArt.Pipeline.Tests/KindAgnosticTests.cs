using System.Text.RegularExpressions;
using NeuralArt.Engine;
using NeuralArt.Engine.Dream;
using NeuralArt.Engine.Style;

namespace NeuralArt.Pipeline.Tests;

/// <summary>
/// The pipeline, the hosts, the Functions app and the dashboard know engines only by their
/// descriptors: no source file of theirs spells an engine's kind or one of its input roles as a
/// string literal (the source role, <c>source</c>, is the contract's own). A new engine therefore
/// needs no change there, and a rename in an engine cannot leave a stale copy behind.
/// </summary>
public sealed partial class KindAgnosticTests
{
    /// <summary>Every kind and engine-specific role of the engines this repository ships.</summary>
    private static readonly string[] EngineWords =
    [
        ArtworkKinds.Dream, ArtworkKinds.Style, ArtworkKinds.Zoom, ArtworkKinds.VideoStyle, ArtworkKinds.VideoDream,
        DeepDreamEngine.GuideRole, NeuralStyleEngine.StyleRole, NeuralStyleEngine.InitRole, NeuralStyleEngine.MaskRole, NeuralStyleEngine.StyleMaskRole,
    ];

    private static readonly string[] KindAgnosticFolders =
        ["functions/NeuralArt.Pipeline", "functions/NeuralArt.Host", "functions/NeuralArt.Functions", "functions/NeuralArt.Contract"];

    private static readonly string[] SourceExtensions = [".cs", ".js", ".html"];

    [Fact]
    public void No_pipeline_host_or_dashboard_file_names_an_engine_kind_or_role()
    {
        var root = NeuralArt.Testing.Azurite.RepositoryRoot();
        var offenders = new List<string>();
        var files = KindAgnosticFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*", SearchOption.AllDirectories))
            .Where(f => SourceExtensions.Contains(Path.GetExtension(f)) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.True(files.Count > 50, $"Only {files.Count} source files found under {root}: the scan is not looking where it should.");

        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match match in QuotedWord().Matches(lines[i]))
                {
                    if (EngineWords.Contains(match.Groups["word"].Value, StringComparer.Ordinal))
                    {
                        offenders.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {lines[i].Trim()}");
                    }
                }
            }
        }

        Assert.True(offenders.Count == 0, "Engine kinds or roles spelled out where only descriptors should be read:\n" + string.Join("\n", offenders));
    }

    /// <summary>A word in double or single quotes, or after a slash inside quotes (an inbox path such as "style/").</summary>
    [GeneratedRegex("""["'](?<word>[A-Za-z]+)["'/]""")]
    private static partial Regex QuotedWord();
}
