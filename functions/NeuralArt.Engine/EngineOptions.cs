namespace NeuralArt.Engine;

/// <summary>
/// Engine-wide settings, bound from the <c>NeuralArt:Engine</c> configuration section (which also
/// holds the ONNX Runtime settings, <see cref="Runtime.OnnxRuntimeOptions"/>).
/// </summary>
public sealed class EngineOptions
{
    public const string SectionName = "NeuralArt:Engine";

    public const string DefaultModel = "resnet18";

    /// <summary>The backbone jobs use when their parameters name none.</summary>
    public string Model { get; set; } = DefaultModel;

    /// <summary>
    /// The models folder; null uses <c>NEURALART_MODELS</c>, else the first <c>models/</c> folder
    /// above the application (see <see cref="Graphs.Compilation.ModelCatalog.Locate"/>).
    /// </summary>
    public string? ModelsDirectory { get; set; }
}
