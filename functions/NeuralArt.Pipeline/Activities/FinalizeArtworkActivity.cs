using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Activities;

/// <summary>
/// Encodes the final image into <c>outputs/{id}/result.png</c>, a small <c>preview.jpg</c> and
/// <c>job.json</c>, then drops the job's checkpoints. Safe to run twice: once <c>job.json</c> exists
/// (it is written last of the outputs), a re-run only returns what is there.
/// </summary>
public sealed class FinalizeArtworkActivity(
    IArtworkStore store,
    CheckpointStore checkpoints,
    ArtworkEngines engines,
    AdmissionControl admission,
    IOptions<PipelineOptions> options,
    TimeProvider clock,
    ILogger<FinalizeArtworkActivity> logger) : TaskActivity<FinalizeInput, JobOutcome>
{
    private const long MaxManifestBytes = 1024 * 1024;
    private readonly PipelineOptions settings = options.Value;

    public override Task<JobOutcome> RunAsync(TaskActivityContext context, FinalizeInput input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<JobOutcome> ExecuteAsync(FinalizeInput input, CancellationToken cancellationToken)
    {
        var manifestBlob = StorageLayout.JobManifest(input.JobId);
        var existing = await store.ReadAsync(manifestBlob, MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        if (existing is not null && JsonSerializer.Deserialize<JobManifest>(existing.Content) is { } done)
        {
            logger.LogInformation("Job {JobId}: already finalized.", input.JobId);
            await admission.ReleaseAsync(input.JobId, cancellationToken).ConfigureAwait(false);
            return ToOutcome(done, manifestBlob);
        }

        var final = await checkpoints.ReadAsync(input.Checkpoint, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The final checkpoint '{input.Checkpoint}' does not exist.");
        var engine = engines.Get(input.Request.Kind);

        var png = await engine.RenderAsync(final.State, RenderFormat.Png, maxSide: null, cancellationToken).ConfigureAwait(false);
        var result = StorageLayout.Result(input.JobId);
        await store.WriteAsync(result, png, "image/png", cancellationToken).ConfigureAwait(false);

        var jpeg = await engine.RenderAsync(final.State, RenderFormat.Jpeg, settings.PreviewMaxSide, cancellationToken).ConfigureAwait(false);
        var preview = StorageLayout.Preview(input.JobId);
        await store.WriteAsync(preview, jpeg, "image/jpeg", cancellationToken).ConfigureAwait(false);

        var completedAt = clock.GetUtcNow();
        var parameters = JsonNode.Parse(input.EffectiveParametersJson);
        var manifest = new JobManifest
        {
            Id = input.JobId,
            Kind = input.Request.Kind,
            Origin = input.Request.Origin,
            Inputs = JobInputs.ByRole(input.Request.Inputs),
            Parameters = parameters,
            Cost = input.Request.Cost,
            Result = result,
            Preview = preview,
            Width = final.Progress.Width,
            Height = final.Progress.Height,
            Iterations = final.Progress.CompletedIterations,
            Chunks = input.Chunks,
            Timings = new JobTimings(
                input.Request.SubmittedAt, input.StartedAt, completedAt,
                (completedAt - input.StartedAt).TotalSeconds, input.ComputeSeconds),
            Engine = Describe(engine, parameters),
        };
        await store.WriteAsync(manifestBlob, JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson.Options), "application/json", cancellationToken).ConfigureAwait(false);

        if (!settings.KeepCheckpoints)
        {
            await checkpoints.DeleteAllAsync(input.JobId, cancellationToken).ConfigureAwait(false);
        }

        await admission.ReleaseAsync(input.JobId, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job {JobId}: wrote {Result} ({Width}x{Height}).", input.JobId, result, manifest.Width, manifest.Height);
        return ToOutcome(manifest, manifestBlob);
    }

    private static JobOutcome ToOutcome(JobManifest manifest, BlobRef manifestBlob) => new()
    {
        Result = manifest.Result,
        Preview = manifest.Preview,
        Manifest = manifestBlob,
        Width = manifest.Width,
        Height = manifest.Height,
        Iterations = manifest.Iterations,
        Chunks = manifest.Chunks,
        ElapsedSeconds = manifest.Timings.ElapsedSeconds,
    };

    private static EngineDescription Describe(IArtworkEngine engine, JsonNode? parameters)
    {
        var type = engine.GetType();
        var version = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? type.Assembly.GetName().Version?.ToString() ?? "unknown";
        var runtime = engine.Runtime;
        return new EngineDescription(
            type.FullName ?? type.Name,
            version,
            (parameters as JsonObject)?["model"]?.ToString() ?? runtime.Model,
            runtime.Provider,
            Environment.MachineName,
            runtime.Versions);
    }
}

/// <summary>Indented JSON for the files people open (job.json, error.json).</summary>
internal static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true };
}
