using Microsoft.Extensions.Configuration;
using NeuralArt.Engine;
using NeuralArt.Pipeline.Admission;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using NeuralArt.Pipeline;
using NeuralArt.Pipeline.Durable;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Orchestration;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Testing;

namespace NeuralArt.Pipeline.Tests;

/// <summary>
/// The pipeline's orchestration and activities on the in-process Durable Task test host, over an
/// in-memory store and the deterministic <see cref="BlurEngine"/>.
/// </summary>
internal sealed class OrchestrationHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly DurableTaskTestHost host;

    private OrchestrationHarness(DurableTaskTestHost host, InMemoryArtworkStore store, BlurEngine dream, BlurEngine style)
    {
        this.host = host;
        Store = store;
        Dream = dream;
        Style = style;
        Client = new DurableTaskJobClient(host.Client);
    }

    public InMemoryArtworkStore Store { get; }
    public BlurEngine Dream { get; }
    public BlurEngine Style { get; }
    public DurableTaskClient DurableClient => host.Client;
    public IJobClient Client { get; }
    public IServiceProvider Services => host.Services;

    private const int MaxStartAttempts = 3;

    public static async Task<OrchestrationHarness> StartAsync(Action<PipelineOptions>? configure = null, Action<JobLimitsOptions>? limits = null)
    {
        var store = new InMemoryArtworkStore();
        var dream = new BlurEngine(ArtworkKinds.Dream);
        var style = new BlurEngine(ArtworkKinds.Style);
        // The test host's gRPC server binds the port it is given (by default one it picks blindly,
        // which parallel test classes collide on): a port the kernel just handed out, and another if
        // something took it in between. Bounded: a port that is taken three times is a real problem.
        DurableTaskTestHost? host = null;
        for (var attempt = 1; host is null; attempt++)
        {
            try
            {
                host = await StartHostAsync(Azurite.FreePort());
            }
            catch (IOException e) when (attempt < MaxStartAttempts && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
            }
        }

        async Task<DurableTaskTestHost> StartHostAsync(int port)
        {
            return await DurableTaskTestHost.StartAsync(
                registry => PipelineTasks.Register(registry),
                new DurableTaskTestHostOptions
                {
                    Port = port,
                    ConfigureServices = services =>
                    {
                        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
                        services.AddSingleton<IArtworkStore>(store);
                        services.AddImageInputs(new ConfigurationBuilder().Build());
                        services.AddSingleton<IArtworkEngine>(dream);
                        services.AddSingleton<IArtworkEngine>(style);
                        services.Configure<PipelineOptions>(o =>
                        {
                            o.ActivityFirstRetryInterval = TimeSpan.FromMilliseconds(200);
                            configure?.Invoke(o);
                        });
                        services.Configure<JobLimitsOptions>(o => limits?.Invoke(o));
                        services.AddNeuralArtPipelineCore();
                    },
                });
        }

        return new OrchestrationHarness(host, store, dream, style);
    }

    public JobRequestFactory Requests => Services.GetRequiredService<JobRequestFactory>();

    public PipelineOptions Options => Services.GetRequiredService<IOptions<PipelineOptions>>().Value;

    /// <summary>Puts a source image into uploads/ and returns a dream request for it.</summary>
    public JobRequest DreamJob(byte[] image, string parameters = "{}", double? budgetSeconds = null, string name = "cat.png")
    {
        var source = new BlobRef(StorageLayout.UploadsContainer, name);
        Store.Put(source, image);
        return Request(ArtworkKinds.Dream, [new JobInput(EngineDescriptor.SourceRole, source)], parameters, budgetSeconds);
    }

    /// <summary>
    /// A request as the door would make it, without the door's checks: orchestration tests send the
    /// pipeline what the door lets through and what storage may have changed since (a corrupt image).
    /// </summary>
    public JobRequest Request(string kind, IReadOnlyList<JobInput> inputs, string parameters = "{}", double? budgetSeconds = null, string origin = JobOrigins.Http)
    {
        var plan = new JobPlan { ParametersJson = parameters, Model = "blur", Stages = [], Cost = new JobCost() };
        return Requests.Create(kind, "phase", inputs, plan, origin, budgetSeconds);
    }

    public async Task<OrchestrationMetadata> RunAsync(string jobId, JobRequest request)
    {
        Assert.True(await Client.StartAsync(jobId, request));
        using var cancel = new CancellationTokenSource(Timeout);
        return await DurableClient.WaitForInstanceCompletionAsync(jobId, getInputsAndOutputs: true, cancel.Token);
    }

    /// <summary>Waits for a job started elsewhere (the inbox starter, the API) to end.</summary>
    public async Task<OrchestrationMetadata> WaitAsync(string jobId)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        return await DurableClient.WaitForInstanceCompletionAsync(jobId, getInputsAndOutputs: true, cancel.Token);
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
