using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Cli.Diagnostics;

/// <summary>What one smoke run found.</summary>
public sealed record SmokeResult(
    bool Succeeded,
    string Provider,
    string? Error,
    string? Graph = null,
    int Side = 0,
    double SessionMilliseconds = 0,
    double FirstStepMilliseconds = 0,
    double SecondStepMilliseconds = 0,
    double Loss = 0,
    double MaxAbsGradient = 0,
    string? Note = null)
{
    public static SmokeResult Failed(string provider, string error) => new(false, provider, error);
}

/// <summary>
/// One gradient step of the model's recommended DeepDream objective on a synthetic image: compiles
/// (or finds) the graph, opens a session on the CPU or CUDA, runs it twice and checks that the loss
/// and the gradient are finite and the gradient is not all zero.
/// </summary>
public static class SmokeRun
{
    public static SmokeResult Run(ModelCatalog catalog, string model, int side, int? cudaDeviceId)
    {
        var provider = cudaDeviceId is null ? "cpu" : "cuda";
        try
        {
            var manifest = catalog.Get(model);
            var taps = manifest.Recommended.Dream.Select(t => new TapWeight(t.Key, t.Value)).ToList();
            if (taps.Count == 0) return SmokeResult.Failed(provider, $"model '{model}' recommends no dream taps");
            var graph = new CompiledModelCache(catalog).GetOrCompile(manifest, new DreamObjective(taps));

            var clock = Stopwatch.StartNew();
            using var options = new SessionOptions();
            if (cudaDeviceId is { } device) options.AppendExecutionProvider_CUDA(device);
            using var session = new InferenceSession(graph.Path, options);
            var sessionMs = clock.Elapsed.TotalMilliseconds;

            var image = SyntheticImage(side);
            var (first, _, _) = Step(session, image, side);
            var (second, loss, maxGrad) = Step(session, image, side);
            if (!double.IsFinite(loss) || !double.IsFinite(maxGrad))
                return SmokeResult.Failed(provider, $"non-finite result (loss {loss}, max |grad| {maxGrad})");
            if (maxGrad == 0)
                return SmokeResult.Failed(provider, "the gradient is all zero");
            return new SmokeResult(true, provider, null, Path.GetFileName(graph.Path), side, sessionMs, first, second, loss, maxGrad);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or GraphCompilationException or IOException
                                       or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            return SmokeResult.Failed(provider, ex.Message.Split('\n', 2)[0].Trim());
        }
    }

    private static (double Milliseconds, double Loss, double MaxAbsGradient) Step(InferenceSession session, float[] image, int side)
    {
        var clock = Stopwatch.StartNew();
        using var input = OrtValue.CreateTensorValueFromMemory(image, [1, 3, side, side]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [GraphNames.Image], [input], [GraphNames.Loss, GraphNames.Grad]);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        var loss = outputs[0].GetTensorDataAsSpan<float>()[0];
        var maxGrad = 0.0;
        foreach (var g in outputs[1].GetTensorDataAsSpan<float>()) maxGrad = Math.Max(maxGrad, Math.Abs(g));
        return (elapsed, loss, maxGrad);
    }

    /// <summary>A smooth colour pattern in [0,1] (deterministic, so runs compare).</summary>
    private static float[] SyntheticImage(int side)
    {
        var data = new float[3 * side * side];
        for (var c = 0; c < 3; c++)
        for (var y = 0; y < side; y++)
        for (var x = 0; x < side; x++)
        {
            var phase = (c + 1) * 0.05 * (x + 2 * y);
            data[(c * side + y) * side + x] = (float)(0.5 + 0.4 * Math.Sin(phase));
        }
        return data;
    }
}
