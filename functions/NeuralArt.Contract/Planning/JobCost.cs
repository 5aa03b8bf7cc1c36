using System.Text.Json.Serialization;

namespace NeuralArt.Contract;

/// <summary>
/// What a job will cost, predicted from its plan: iterations, pixel-iterations (the sum over
/// iterations of the working image's pixels), convolution multiply-adds (forward and input gradient
/// of every convolution the objective needs, counted from the network), the peak memory the engine
/// expects to hold (images, optimizer and activations, an estimate), and the checkpoint size.
/// </summary>
public sealed record JobCost
{
    [JsonPropertyName("iterations")] public long Iterations { get; init; }
    [JsonPropertyName("pixelIterations")] public long PixelIterations { get; init; }
    [JsonPropertyName("multiplyAdds")] public double MultiplyAdds { get; init; }
    [JsonPropertyName("peakMemoryBytes")] public long PeakMemoryBytes { get; init; }
    [JsonPropertyName("checkpointBytes")] public long CheckpointBytes { get; init; }
    /// <summary>The largest working image (width x height) of the job.</summary>
    [JsonPropertyName("workingPixels")] public long WorkingPixels { get; init; }
}
