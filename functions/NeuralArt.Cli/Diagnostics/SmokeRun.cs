using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs;
using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Objectives;

namespace NeuralArt.Cli.Diagnostics;

/// <summary>What one smoke run found.</summary>
public sealed record SmokeResult(
    bool Succeeded,
    string Device,
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
    public static SmokeResult Failed(string device, string error, string? note = null) => new(false, device, error, Note: note);
}

/// <summary>
/// One gradient step of the model's recommended DeepDream objective on a synthetic image, through
/// the engine's own runtime: the compiled-graph cache, <see cref="OnnxSessionPool"/> (which picks
/// the execution provider as the engines do) and <see cref="GradientRunner"/> (the IOBinding path).
/// It runs the step twice and checks that the loss and gradient are finite and the gradient is not
/// all zero.
/// </summary>
public static class SmokeRun
{
    public static SmokeResult Run(ModelCatalog catalog, string model, int side, OnnxRuntimeOptions options, ILogger logger)
    {
        var requested = options.ExecutionProvider.ToString().ToLowerInvariant();
        using var pool = new OnnxSessionPool(options, logger);
        try
        {
            var graphs = new CatalogGraphSource(catalog);
            var manifest = graphs.GetManifest(model);
            var taps = manifest.Recommended.Dream.Select(t => new TapWeight(t.Key, t.Value)).ToList();
            if (taps.Count == 0) return SmokeResult.Failed(requested, $"model '{model}' recommends no dream taps");
            var dream = new DreamParameters(taps);
            var graph = graphs.GetGraph(manifest, dream.Objective());

            var clock = Stopwatch.StartNew();
            using var lease = pool.Rent(graph.Path);
            var session = lease.Session;
            var sessionMs = clock.Elapsed.TotalMilliseconds;
            var device = session.Device.ToString().ToLowerInvariant();

            using var runner = new GradientRunner(session);
            NeuralArt.Engine.Dream.DreamGraphInputs.Set(runner, dream, guided: false);
            var buffers = runner.Buffers(side, side);
            FillSyntheticImage(buffers.Input, side);
            var first = TimedRun(runner, buffers);
            var second = TimedRun(runner, buffers);
            var loss = buffers.Loss;
            var maxGrad = MaxAbs(buffers.Grad);

            var note = pool.FallbackReason is { } reason ? $"auto fell back to the CPU: {reason}" : null;
            if (!float.IsFinite(loss) || !double.IsFinite(maxGrad))
                return SmokeResult.Failed(device, $"non-finite result (loss {loss}, max |grad| {maxGrad})", note);
            if (maxGrad == 0) return SmokeResult.Failed(device, "the gradient is all zero", note);
            return new SmokeResult(true, device, null, Path.GetFileName(graph.Path), side, sessionMs, first, second, loss, maxGrad, note);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or GraphCompilationException or IOException
                                       or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            var device = pool.Device?.ToString().ToLowerInvariant() ?? requested;
            return SmokeResult.Failed(device, ex.Message.ReplaceLineEndings(" ").Trim());
        }
    }

    private static double TimedRun(GradientRunner runner, GradientBuffers buffers)
    {
        var clock = Stopwatch.StartNew();
        runner.Run(buffers);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double MaxAbs(ReadOnlySpan<float> values)
    {
        var max = 0.0;
        foreach (var v in values) max = Math.Max(max, Math.Abs(v));
        return max;
    }

    /// <summary>A smooth colour pattern in [0,1], planar [3,side,side] (deterministic, so runs compare).</summary>
    private static void FillSyntheticImage(Span<float> data, int side)
    {
        const double amplitude = 0.4;
        const double frequency = 0.05;
        for (var c = 0; c < 3; c++)
        for (var y = 0; y < side; y++)
        for (var x = 0; x < side; x++)
        {
            data[(c * side + y) * side + x] = (float)(0.5 + amplitude * Math.Sin((c + 1) * frequency * (x + 2 * y)));
        }
    }
}
