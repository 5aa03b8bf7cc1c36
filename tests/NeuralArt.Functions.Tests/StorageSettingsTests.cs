using Microsoft.Extensions.Configuration;

namespace NeuralArt.Functions.Tests;

/// <summary>
/// Which account the pipeline's blobs go to: the data connection when it is configured (Azure: a
/// second account), the host's connection otherwise (a developer's single Azurite setting).
/// </summary>
public sealed class StorageSettingsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            // Environment variables (Section__Key) arrive as Section:Key, as in Azure.
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();

    [Fact]
    public void The_deployed_settings_put_the_pipeline_on_the_data_account_not_the_host_account()
    {
        var configuration = Configuration(
            (StorageSettings.HostConnection + "__accountName", "neuralarthost"),
            (StorageSettings.HostConnection + "__credential", "managedidentity"),
            (StorageSettings.DataConnection + "__blobServiceUri", "https://neuralartdata.blob.core.windows.net/"),
            (StorageSettings.DataConnection + "__queueServiceUri", "https://neuralartdata.queue.core.windows.net/"),
            (StorageSettings.DataConnection + "__credential", "managedidentity"),
            (StorageSettings.DataConnection + "__clientId", "00000000-0000-0000-0000-000000000001"));

        var client = StorageSettings.CreateBlobServiceClient(configuration);

        Assert.Equal("neuralartdata.blob.core.windows.net", client.Uri.Host);
        Assert.Equal("neuralartdata", client.AccountName);
        Assert.False(client.CanGenerateAccountSasUri);
    }

    [Fact]
    public void Without_a_data_connection_the_pipeline_uses_the_host_connection()
    {
        var client = StorageSettings.CreateBlobServiceClient(Configuration((StorageSettings.HostConnection, StorageSettings.DevelopmentStorage)));

        Assert.Equal("devstoreaccount1", client.AccountName);
        Assert.Equal(10000, client.Uri.Port);
    }

    [Fact]
    public void A_data_connection_string_wins_over_the_host_one()
    {
        const string data = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:20000/devstoreaccount1;";
        var configuration = Configuration((StorageSettings.HostConnection, StorageSettings.DevelopmentStorage), (StorageSettings.DataConnection, data));

        Assert.Equal(20000, StorageSettings.CreateBlobServiceClient(configuration).Uri.Port);
    }

    [Fact]
    public void The_identity_form_with_only_an_account_name_reaches_that_account()
    {
        var configuration = Configuration((StorageSettings.DataConnection + "__accountName", "neuralartdata"));

        Assert.Equal("neuralartdata.blob.core.windows.net", StorageSettings.CreateBlobServiceClient(configuration).Uri.Host);
    }
}
