using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
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
    IInputInspector inspector,
    ILogger<PrepareArtworkActivity> logger) : TaskActivity<PrepareInput, PrepareOutcome>
{
    public override Task<PrepareOutcome> RunAsync(TaskActivityContext context, PrepareInput input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<PrepareOutcome> ExecuteAsync(PrepareInput input, CancellationToken cancellationToken)
    {
        var request = input.Request;
        try
        {
            var engine = engines.Get(request.Kind);
            // The role the job transforms does not depend on the host's caps: the default limits describe it as well as any.
            var primary = engine.Describe(new EngineLimits()).PrimaryRole;
            byte[]? content = null;
            var extras = new List<NamedImage>();
            foreach (var image in request.Inputs)
            {
                var bytes = await ReadImageAsync(image, cancellationToken).ConfigureAwait(false);
                if (content is null && image.Role == primary)
                {
                    content = bytes;
                }
                else
                {
                    extras.Add(new NamedImage(image.Role, Path.GetFileNameWithoutExtension(image.Blob.FileName), bytes));
                }
            }

            if (content is null)
            {
                throw new InvalidArtworkInputException($"The job has no '{primary}' input.", primary);
            }

            var checkpoint = await engine.StartAsync(new ArtworkInputs(content, extras, request.ParametersJson), cancellationToken).ConfigureAwait(false);
            var blob = await checkpoints.WriteAsync(input.JobId, checkpoint, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Job {JobId}: prepared {Kind} from {Source}, {Width}x{Height}, {Total} iterations.",
                input.JobId, request.Kind, request.Source, checkpoint.Progress.Width, checkpoint.Progress.Height, checkpoint.Progress.TotalIterations);
            return new PrepareOutcome(blob, ProgressSnapshot.From(checkpoint.Progress), null);
        }
        catch (InvalidArtworkInputException e)
        {
            logger.LogWarning("Job {JobId}: input refused ({Field}): {Reason}", input.JobId, e.Field, e.Message);
            return new PrepareOutcome(null, null, new JobError(e.Message, e.Field, JobPhases.Preparing, Retriable: false));
        }
    }

    /// <summary>Reads an input within the image byte limit and checks its header again (it may have changed since the door).</summary>
    private async Task<byte[]> ReadImageAsync(JobInput input, CancellationToken cancellationToken)
    {
        StoredBlob? stored;
        try
        {
            stored = await store.ReadAsync(input.Blob, inspector.MaxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobTooLargeException e)
        {
            throw new InvalidArtworkInputException($"The {input.Role} image '{input.Blob}' is {e.Size:N0} bytes, more than the limit of {e.Limit:N0} bytes.", input.Role, e);
        }

        if (stored is null)
        {
            throw new InvalidArtworkInputException($"The {input.Role} image '{input.Blob}' does not exist (any more).", input.Role);
        }

        inspector.Identify(stored.Content, input.Role, input.Blob.ToString());
        return stored.Content;
    }
}
