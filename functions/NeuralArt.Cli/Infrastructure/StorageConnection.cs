using NeuralArt.Host;

namespace NeuralArt.Cli.Infrastructure;

/// <summary>Which storage account the pipeline commands talk to.</summary>
internal static class StorageConnection
{
    public const string Variable = "NEURALART_STORAGE";
    public const string AzuriteVariable = "AZURITE_CONNECTION_STRING";

    public static string Resolve(string? option) =>
        option
        ?? NonEmpty(Environment.GetEnvironmentVariable(Variable))
        ?? NonEmpty(Environment.GetEnvironmentVariable(AzuriteVariable))
        ?? LocalHostOptions.DevelopmentStorage;

    /// <summary>The account's endpoints without the key, for messages.</summary>
    public static string Describe(string connection) =>
        string.Join(';', connection.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => !part.StartsWith("AccountKey=", StringComparison.OrdinalIgnoreCase) && !part.StartsWith("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase)));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
