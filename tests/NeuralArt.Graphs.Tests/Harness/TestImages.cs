namespace NeuralArt.Graphs.Tests.Harness;

/// <summary>Seeded random RGB images [1,3,H,W] in [0,1], as float32 (what ONNX Runtime gets) and float64 (the same values).</summary>
internal static class TestImages
{
    /// <summary>Pixel values stay away from 0 and 1 so no test depends on clamping.</summary>
    private const double Low = 0.05;
    private const double High = 0.95;

    public static (float[] Float32, double[] Float64) Random(int h, int w, int seed)
    {
        var random = new Random(seed);
        var f = new float[3 * h * w];
        for (var i = 0; i < f.Length; i++) f[i] = (float)(Low + (High - Low) * random.NextDouble());
        return (f, f.Select(v => (double)v).ToArray());
    }

    public static OrtTensor Tensor(float[] pixels, int h, int w) => new(pixels, [1, 3, h, w]);
}
