using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace NeuralArt.Graphs.Tests.Harness;

/// <summary>A float32 tensor as ONNX Runtime returns it.</summary>
internal sealed record OrtTensor(float[] Data, long[] Shape)
{
    public int[] IntShape => Shape.Select(d => checked((int)d)).ToArray();
}

/// <summary>
/// One ONNX Runtime CPU session over an in-memory model, with the optimization level the engine
/// uses (<see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>), so fusions are exercised too.
/// </summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly Lock _gate = new();

    /// <param name="intraOpThreads">Threads per run; the small nets use one so parallel tests do not oversubscribe.</param>
    public OrtRunner(ModelProto model, int intraOpThreads = 1)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model.ToByteArray(), options);
    }

    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _session.InputMetadata;

    public IReadOnlyDictionary<string, NodeMetadata> OutputMetadata => _session.OutputMetadata;

    /// <summary>Runs the model; returns the requested outputs (all outputs when null).</summary>
    public Dictionary<string, OrtTensor> Run(IReadOnlyDictionary<string, OrtTensor> inputs, IReadOnlyList<string>? outputs = null)
    {
        var outputNames = outputs ?? _session.OutputNames;
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Value.Data, i.Value.Shape)).ToList();
        try
        {
            lock (_gate)
            {
                using var runOptions = new RunOptions();
                using var results = _session.Run(runOptions, inputs.Keys.ToList(), values, outputNames.ToList());
                var map = new Dictionary<string, OrtTensor>(StringComparer.Ordinal);
                var i = 0;
                foreach (var value in results)
                {
                    var shape = value.GetTensorTypeAndShape().Shape;
                    map[outputNames[i++]] = new OrtTensor(value.GetTensorDataAsSpan<float>().ToArray(), shape);
                }
                return map;
            }
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    public Dictionary<string, OrtTensor> Run(string input, OrtTensor value, IReadOnlyList<string>? outputs = null) =>
        Run(new Dictionary<string, OrtTensor> { [input] = value }, outputs);

    public void Dispose() => _session.Dispose();
}
