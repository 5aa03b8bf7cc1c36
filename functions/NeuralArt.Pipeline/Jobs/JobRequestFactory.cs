using Microsoft.Extensions.Options;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Jobs;

/// <summary>Builds <see cref="JobRequest"/>s with this host's chunking and retry settings baked in.</summary>
public sealed class JobRequestFactory(IOptions<PipelineOptions> options, TimeProvider clock)
{
    public JobRequest Create(string kind, BlobRef source, BlobRef? style, BlobRef? sidecar, string parametersJson, string origin, double? chunkBudgetSeconds = null)
    {
        var settings = options.Value;
        return new JobRequest
        {
            Kind = kind,
            Source = source,
            Style = style,
            Sidecar = sidecar,
            ParametersJson = parametersJson,
            Origin = origin,
            SubmittedAt = clock.GetUtcNow(),
            Chunking = new ChunkingPolicy { BudgetSeconds = chunkBudgetSeconds ?? settings.ChunkTimeBudgetSeconds },
            Retry = new RetrySettings
            {
                MaxAttempts = settings.ActivityMaxAttempts,
                FirstRetrySeconds = settings.ActivityFirstRetryInterval.TotalSeconds,
            },
        };
    }
}
