using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Jobs;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Activities;

/// <summary>
/// Reads and checks the job's sources (size limits, image headers, the optional sidecar), lets the
/// engine decode them and build its initial state, and writes the first checkpoint. Bad input comes
/// back as <see cref="PrepareOutcome.Error"/> instead of an exception, so it is never retried.
/// </summary>
public sealed class PrepareArtworkActivity(
    IArtworkStore store,
    CheckpointStore checkpoints,
    ArtworkEngines engines,
    IOptions<PipelineOptions> options,
    ILogger<PrepareArtworkActivity> logger) : TaskActivity<PrepareInput, PrepareOutcome>
{
    private readonly PipelineOptions settings = options.Value;

    public override Task<PrepareOutcome> RunAsync(TaskActivityContext context, PrepareInput input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<PrepareOutcome> ExecuteAsync(PrepareInput input, CancellationToken cancellationToken)
    {
        var request = input.Request;
        try
        {
            var engine = engines.Get(request.Kind);
            var content = await ReadImageAsync(request.Source, "content", cancellationToken).ConfigureAwait(false);
            var extras = new List<NamedImage>();
            if (request.Style is { } style)
            {
                var styleBytes = await ReadImageAsync(style, "style", cancellationToken).ConfigureAwait(false);
                extras.Add(new NamedImage("style", Path.GetFileNameWithoutExtension(style.FileName), styleBytes));
            }
            else if (request.Kind == ArtworkKinds.Style)
            {
                throw new InvalidArtworkInputException("A style job needs a style image.", "style");
            }

            var parameters = await ResolveParametersAsync(request, cancellationToken).ConfigureAwait(false);
            var checkpoint = await engine.StartAsync(new ArtworkInputs(content, extras, parameters), cancellationToken).ConfigureAwait(false);
            var blob = await checkpoints.WriteAsync(input.JobId, checkpoint, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Job {JobId}: prepared {Kind} from {Source}, {Width}x{Height}, {Total} iterations.",
                input.JobId, request.Kind, request.Source, checkpoint.Progress.Width, checkpoint.Progress.Height, checkpoint.Progress.TotalIterations);
            return new PrepareOutcome(blob, ProgressSnapshot.From(checkpoint.Progress), parameters, null);
        }
        catch (InvalidArtworkInputException e)
        {
            logger.LogWarning("Job {JobId}: input refused ({Field}): {Reason}", input.JobId, e.Field, e.Message);
            return new PrepareOutcome(null, null, null, new JobError(e.Message, e.Field, JobPhases.Preparing, Retriable: false));
        }
    }

    private async Task<byte[]> ReadImageAsync(BlobRef blob, string field, CancellationToken cancellationToken)
    {
        StoredBlob? stored;
        try
        {
            stored = await store.ReadAsync(blob, settings.MaxSourceBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobTooLargeException e)
        {
            throw new InvalidArtworkInputException(
                $"The {field} image '{blob}' is {e.Size:N0} bytes, more than the limit of {e.Limit:N0} bytes.", field, e);
        }

        if (stored is null && blob.Container == StorageLayout.StylesContainer && !Path.HasExtension(blob.Name))
        {
            throw new InvalidArtworkInputException(
                $"The style '{blob.Name}' has no image: upload {StorageLayout.StylesContainer}/{blob.Name}.jpg (or .png).", field);
        }

        if (stored is null)
        {
            throw new InvalidArtworkInputException($"The {field} image '{blob}' does not exist.", field);
        }

        // The engine's header check (no pixel decoded), with the pipeline's own source limits.
        var limits = new ImageLimits { MaxBytes = settings.MaxSourceBytes, MaxPixels = settings.MaxSourcePixels };
        new ImageLoader(limits).Identify(stored.Content, field, $"the {field} image '{blob}'");
        return stored.Content;
    }

    /// <summary>The request's parameters with the sidecar's (when there is one) laid over them.</summary>
    private async Task<string> ResolveParametersAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var merged = ParseObject(request.ParametersJson, "parameters", "The job's parameters");
        if (request.Sidecar is not { } sidecar)
        {
            return merged.ToJsonString();
        }

        StoredBlob? stored;
        try
        {
            stored = await store.ReadAsync(sidecar, settings.MaxSidecarBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobTooLargeException e)
        {
            throw new InvalidArtworkInputException($"The sidecar '{sidecar}' is {e.Size:N0} bytes; sidecars are limited to {e.Limit:N0} bytes.", "sidecar", e);
        }

        if (stored is null)
        {
            return merged.ToJsonString();
        }

        var overrides = ParseObject(System.Text.Encoding.UTF8.GetString(stored.Content), "sidecar", $"The sidecar '{sidecar}'");
        foreach (var (name, value) in overrides.ToList())
        {
            overrides.Remove(name);
            merged[name] = value;
        }

        return merged.ToJsonString();
    }

    private static JsonObject ParseObject(string json, string field, string what)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        }
        catch (JsonException e)
        {
            throw new InvalidArtworkInputException($"{what} is not valid JSON: {e.Message}", field, e);
        }

        return node as JsonObject
            ?? throw new InvalidArtworkInputException($"{what} must be a JSON object of parameters, not {node?.GetValueKind().ToString() ?? "null"}.", field);
    }
}
