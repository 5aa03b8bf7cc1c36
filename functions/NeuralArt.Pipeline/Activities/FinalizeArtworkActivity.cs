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
/// Lets the engine write its declared outputs (<c>result.png</c> for a still; animations made from
/// the frames for a sequence), then a small <c>preview.jpg</c> and <c>job.json</c> listing every
/// output, and drops the job's checkpoints. Safe to run twice: once <c>job.json</c> exists
/// (it is written last of the outputs), a re-run only returns what is there.
/// </summary>
public sealed class FinalizeArtworkActivity(
    IArtworkStore store,
    CheckpointStore checkpoints,
    ChunkRunLog runs,
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
        // Outputs do not depend on the host's caps: the default limits describe them as well as any.
        var descriptor = engine.Describe(new EngineLimits());

        var files = new BlobEngineOutputs(store, input.JobId, settings.MaxOutputFileBytes);
        try
        {
            await engine.FinishAsync(final.State, files, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidArtworkInputException e)
        {
            // An output the engine cannot make (a missing encoder, a frame gone): the job fails with
            // the reason; what was written stays. Not retried: it would fail the same way.
            logger.LogError("Job {JobId}: finishing failed ({Field}): {Reason}", input.JobId, e.Field, e.Message);
            return new JobOutcome { Error = new JobError(e.Message, e.Field, JobPhases.Finalizing, Retriable: false) };
        }

        var jpeg = await engine.RenderAsync(final.State, RenderFormat.Jpeg, settings.PreviewMaxSide, cancellationToken).ConfigureAwait(false);
        var preview = StorageLayout.Preview(input.JobId);
        await store.WriteAsync(preview, jpeg, ContentTypes.Jpeg, cancellationToken).ConfigureAwait(false);

        var outputs = await ListOutputsAsync(input.JobId, descriptor, files.Written, cancellationToken).ConfigureAwait(false);
        var result = descriptor.SingleImage is { } single && outputs.TryGetValue(single.Name, out var still) ? still.Files.FirstOrDefault() : (BlobRef?)null;

        var completedAt = clock.GetUtcNow();
        var parameters = JsonNode.Parse(input.EffectiveParametersJson);
        var manifest = new JobManifest
        {
            Id = input.JobId,
            Kind = input.Request.Kind,
            Origin = input.Request.Origin,
            Sweep = input.Request.Sweep,
            Inputs = JobInputs.ByRole(input.Request.Inputs),
            Parameters = parameters,
            Cost = input.Request.Cost,
            Result = result,
            Outputs = outputs,
            Preview = preview,
            Width = final.Progress.Width,
            Height = final.Progress.Height,
            Iterations = final.Progress.CompletedIterations,
            Chunks = input.Chunks,
            ChunkRuns = await runs.ListAsync(input.JobId, cancellationToken).ConfigureAwait(false),
            Timings = new JobTimings(
                input.Request.SubmittedAt, input.StartedAt, completedAt,
                (completedAt - input.StartedAt).TotalSeconds, input.ComputeSeconds),
            Engine = Describe(engine, parameters),
        };
        await store.WriteAsync(manifestBlob, JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson.Options), ContentTypes.Json, cancellationToken).ConfigureAwait(false);

        if (!settings.KeepCheckpoints)
        {
            await checkpoints.DeleteAllAsync(input.JobId, cancellationToken).ConfigureAwait(false);
        }

        await admission.ReleaseAsync(input.JobId, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Job {JobId}: wrote {Outputs} ({Width}x{Height}).", input.JobId, string.Join(", ", outputs.Keys), manifest.Width, manifest.Height);
        return ToOutcome(manifest, manifestBlob);
    }

    /// <summary>
    /// Each declared output and its blobs: the frames the chunks wrote (listed from storage, in
    /// order) and the single files the engine's final step wrote. An output not made (an animation
    /// the job did not ask for) is left out.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, JobOutput>> ListOutputsAsync(
        string jobId, EngineDescriptor descriptor, IReadOnlyList<string> written, CancellationToken cancellationToken)
    {
        var outputs = new Dictionary<string, JobOutput>(StringComparer.Ordinal);
        foreach (var output in descriptor.Outputs)
        {
            if (output.Kind == OutputKinds.Frames)
            {
                // One listing, not a request per frame; frame names sort in frame order.
                var frames = new List<BlobRef>();
                var folder = StorageLayout.Output(jobId, FrameNames.Folder + "/");
                await foreach (var info in store.ListAsync(folder.Container, folder.Name, cancellationToken).ConfigureAwait(false))
                {
                    frames.Add(info.Blob);
                }

                // Frame numbers are zero-padded to five digits and grow longer past 99,999: shorter first, then by name.
                frames.Sort((a, b) => a.Name.Length != b.Name.Length ? a.Name.Length.CompareTo(b.Name.Length) : string.CompareOrdinal(a.Name, b.Name));

                if (frames.Count > 0) outputs[output.Name] = new JobOutput(output.Kind, frames, frames.Count);
            }
            else if (output.File is { } file && written.Contains(file, StringComparer.Ordinal))
            {
                outputs[output.Name] = new JobOutput(output.Kind, [StorageLayout.Output(jobId, file)]);
            }
        }

        return outputs;
    }

    private static JobOutcome ToOutcome(JobManifest manifest, BlobRef manifestBlob) => new()
    {
        Result = manifest.Result,
        Outputs = manifest.Outputs,
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
