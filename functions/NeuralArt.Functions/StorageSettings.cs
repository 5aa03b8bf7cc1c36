namespace NeuralArt.Functions;

/// <summary>Where the app's storage comes from: the Functions host's own account setting.</summary>
public static class StorageSettings
{
    /// <summary>The app setting holding the storage connection (also used by the triggers and Durable).</summary>
    public const string ConnectionSetting = "AzureWebJobsStorage";

    public const string DevelopmentStorage = "UseDevelopmentStorage=true";
}
