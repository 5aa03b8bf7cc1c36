using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Tensors;
using NeuralArt.Graphs.Compilation;

namespace NeuralArt.Engine.Runtime;

/// <summary>One output of a features graph: a tap's activations, [1,C,h,w].</summary>
public sealed record FeatureMap(string Name, float[] Data, long[] Shape);

/// <summary>
/// Runs a compiled forward-only features graph (input <c>image</c>, one output per tap). The
/// outputs' sizes depend on the image, so ONNX Runtime allocates them per run; the input is copied
/// into an aligned buffer (see <see cref="AlignedValues"/>).
/// </summary>
public sealed class FeatureExtractor
{
    private readonly OnnxSession _session;

    public FeatureExtractor(OnnxSession session)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session));
        if (!session.Session.InputNames.Contains(GraphNames.Image))
        {
            throw new InvalidOperationException($"'{Path.GetFileName(session.Path)}' has no input '{GraphNames.Image}'.");
        }
    }

    public IReadOnlyList<string> OutputNames => _session.Session.OutputNames;

    public IReadOnlyList<FeatureMap> Run(ImageTensor image, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var runOptions = new RunOptions();
        using var input = AlignedValues.Copy(image.Data, image.Shape);
        var started = Stopwatch.GetTimestamp();
        using var outputs = _session.Session.Run(runOptions, [GraphNames.Image], [input], _session.Session.OutputNames);
        _session.RecordRun(Stopwatch.GetElapsedTime(started));
        var maps = new List<FeatureMap>(outputs.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            var value = outputs[i];
            var shape = value.GetTensorTypeAndShape().Shape;
            maps.Add(new FeatureMap(_session.Session.OutputNames[i], value.GetTensorDataAsSpan<float>().ToArray(), shape));
        }
        return maps;
    }
}
