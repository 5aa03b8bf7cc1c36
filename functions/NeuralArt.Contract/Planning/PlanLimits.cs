namespace NeuralArt.Contract;

/// <summary>
/// What every engine's plan checks against the host's caps, in one place: the job's iterations,
/// its working image and its checkpoint; and the estimates they share.
/// </summary>
public static class PlanLimits
{
    /// <summary>Checkpoint bytes besides images and optimizer vectors (magic, settings, counters): generous.</summary>
    public const long CheckpointOverheadBytes = 16 * 1024;

    /// <summary>
    /// Activation values a gradient step keeps alive per forward value: the activations, their
    /// gradients and the ReLU/pool masks (an estimate, for peak memory).
    /// </summary>
    public const int ActivationCopiesPerStep = 3;

    /// <param name="what">How the total came about, for the message: "4 octaves x 10 iterations".</param>
    public static void Iterations(long total, EngineLimits limits, string what, string field)
    {
        if (total > limits.MaxIterations)
        {
            throw new InvalidArtworkInputException($"{what} is {total} iterations; this host allows at most {limits.MaxIterations} per job.", field);
        }
    }

    public static void WorkingImage(int width, int height, EngineLimits limits, string field)
    {
        var pixels = (long)width * height;
        if (pixels > limits.MaxWorkingPixels)
        {
            throw new InvalidArtworkInputException(
                $"The working image would be {width}x{height} ({pixels:N0} pixels); this host allows at most {limits.MaxWorkingPixels:N0}.", field);
        }
    }

    public static void Checkpoint(long bytes, EngineLimits limits, string field)
    {
        if (bytes > limits.MaxCheckpointBytes)
        {
            throw new InvalidArtworkInputException(
                $"The job's checkpoint would be {bytes:N0} bytes; this host allows at most {limits.MaxCheckpointBytes:N0}. Use a smaller size.", field);
        }
    }

    /// <summary>The job's seed: the one asked for, else a new one drawn (recorded in the effective settings).</summary>
    public static long SeedOr(long? seed) => seed ?? System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <summary>The stages of a plan: each size with its iterations.</summary>
    public static IReadOnlyList<StageSize> Stages(IEnumerable<(int Height, int Width)> sizes, int iterations) =>
        sizes.Select(s => new StageSize(s.Width, s.Height, iterations)).ToList();
}
