using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>One Azurite for the test run, plus one shared host process for the tests that need no private one.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? azurite;
    private HostProcess? shared;

    public string ConnectionString => azurite!.ConnectionString;

    public BlobServiceClient Blobs { get; private set; } = null!;

    /// <summary>A host on task hub "shared", watching the inbox.</summary>
    public HostProcess SharedHost => shared!;

    public async Task InitializeAsync()
    {
        azurite = await Azurite.StartAsync();
        Blobs = new BlobServiceClient(ConnectionString);
        await new BlobArtworkStore(Blobs).EnsureContainersAsync();
        shared = await HostProcess.StartAsync(ConnectionString, "shared");
    }

    public async Task DisposeAsync()
    {
        if (shared is not null)
        {
            await shared.DisposeAsync();
        }

        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }

    public async Task<string> UploadAsync(BlobRef blob, byte[] content)
    {
        var response = await Blobs.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name)
            .UploadAsync(BinaryData.FromBytes(content), overwrite: true);
        return response.Value.ETag.ToString();
    }

    public async Task<byte[]?> DownloadAsync(BlobRef blob)
    {
        var client = Blobs.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name);
        if (!await client.ExistsAsync())
        {
            return null;
        }

        return (await client.DownloadContentAsync()).Value.Content.ToArray();
    }

    /// <summary>Polls until the blob exists (the host writes it), failing after <paramref name="timeout"/>.</summary>
    public async Task<byte[]> WaitForBlobAsync(BlobRef blob, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await DownloadAsync(blob) is { } content)
            {
                return content;
            }

            try
            {
                await Task.Delay(200, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{blob} did not appear within {timeout}.\n{diagnostics?.Invoke()}");
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
