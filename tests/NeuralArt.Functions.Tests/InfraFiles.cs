namespace NeuralArt.Functions.Tests;

/// <summary>The repository's infra/ folder, found from the test's output directory.</summary>
internal static class InfraFiles
{
    public static string Root { get; } = Path.Combine(RepositoryRoot(), "infra");

    public static string MainTemplate() => File.ReadAllText(Path.Combine(Root, "main.bicep"));

    public static string Module(string file) => File.ReadAllText(Path.Combine(Root, "modules", file));

    public static IEnumerable<string> AllBicep() => Directory.GetFiles(Root, "*.bicep", SearchOption.AllDirectories);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuralArt.Functions.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No NeuralArt.Functions.sln above {AppContext.BaseDirectory}.");
    }
}
