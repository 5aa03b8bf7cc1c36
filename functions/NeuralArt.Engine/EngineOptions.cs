namespace NeuralArt.Engine;

/// <summary>Where the pixel math of an untiled DeepDream step runs.</summary>
public enum StepPlacement
{
    /// <summary><see cref="Device"/> when sessions run on CUDA, <see cref="Host"/> on the CPU.</summary>
    Auto,
    /// <summary>In C# on host arrays; the gradient graph's input and output are copied per step.</summary>
    Host,
    /// <summary>
    /// In small ONNX graphs on the sessions' device memory: within a chunk the image stays on the
    /// GPU. On the CPU provider the same code runs on host memory (how it is tested here).
    /// </summary>
    Device,
}

/// <summary>
/// Engine-wide settings, bound from the <c>NeuralArt:Engine</c> configuration section (which also
/// holds the ONNX Runtime settings, <see cref="Runtime.OnnxRuntimeOptions"/>).
/// </summary>
public sealed class EngineOptions
{
    public const string SectionName = "NeuralArt:Engine";

    public const string DefaultModel = "resnet18";

    /// <summary>The video encoder program, found on the PATH (Debian's <c>ffmpeg</c> package).</summary>
    public const string DefaultFfmpegPath = "ffmpeg";

    /// <summary>The video header reader, found on the PATH (the same Debian package).</summary>
    public const string DefaultFfprobePath = "ffprobe";

    /// <summary>Generous for a few hundred frames at a few hundred pixels on a small machine.</summary>
    public const int DefaultFfmpegTimeoutSeconds = 600;

    /// <summary>The backbone jobs use when their parameters name none.</summary>
    public string Model { get; set; } = DefaultModel;

    /// <summary>
    /// The models folder; null uses <c>NEURALART_MODELS</c>, else the first <c>models/</c> folder
    /// above the application (see <see cref="Graphs.Compilation.ModelCatalog.Locate"/>).
    /// </summary>
    public string? ModelsDirectory { get; set; }

    /// <summary>Where untiled steps do their pixel math (tiled steps always use the host).</summary>
    public StepPlacement StepPlacement { get; set; } = StepPlacement.Auto;

    /// <summary>
    /// Where gradient steps run the network's first max-pool and its backward: in the compiled
    /// graph, or in managed code between the sessions of the graph split at the pool (CPU only).
    /// </summary>
    public Runtime.PoolPlacement PoolPlacement { get; set; } = Runtime.PoolPlacement.Auto;

    /// <summary>
    /// Compiled graphs the graph source remembers in memory (<c>NeuralArt__Engine__MaxCompiledGraphs</c>);
    /// past it the least recently used are forgotten (and found on disk again when asked for).
    /// </summary>
    public int MaxCompiledGraphs { get; set; } = Graphs.Compilation.CompiledModelCache.DefaultMaxEntries;

    /// <summary>
    /// The <c>ffmpeg</c> program sequence engines encode their MP4 videos with
    /// (<c>NeuralArt__Engine__FfmpegPath</c>): a name on the PATH or a full path; it is never downloaded.
    /// </summary>
    public string FfmpegPath { get; set; } = DefaultFfmpegPath;

    /// <summary>Longest one video encoding may take before ffmpeg is stopped and the job fails with the reason.</summary>
    public int FfmpegTimeoutSeconds { get; set; } = DefaultFfmpegTimeoutSeconds;

    /// <summary>The <c>ffprobe</c> program the video engines read clip headers with (<c>NeuralArt__Engine__FfprobePath</c>).</summary>
    public string FfprobePath { get; set; } = DefaultFfprobePath;
}
