using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs.Analysis;
using NeuralArt.Graphs.Compilation;
using Onnx;

namespace NeuralArt.Engine.Tests.Runtime;

/// <summary>
/// The managed max-pool against ONNX Runtime's <c>MaxPool</c> with its indices output and the
/// compiler's backward (<c>ScatterElements</c> add on flat tensors), bit for bit: pooled values,
/// arg-maxes and input gradients, on inputs with many ties (values on a coarse grid) and negative
/// values (a zero padding would win there), in the geometries the networks use and some they do not.
/// </summary>
public sealed class ManagedMaxPoolTests
{
    private const int Channels = 3;

    /// <summary>Input values are multiples of 1/Grid in [-1, 1]: ties in most windows.</summary>
    private const int Grid = 4;

    public static TheoryData<string, int, int> Geometries() => new()
    {
        // Geometry, input height, width.
        { "kernel=3,3;strides=2,2;pads=1,1,1,1;ceil=0", 37, 64 },   // ResNet's stem pool: the vector path and its scalar ends
        { "kernel=3,3;strides=2,2;pads=1,1,1,1;ceil=0", 40, 75 },
        { "kernel=3,3;strides=2,2;pads=1,1,0,0;ceil=0", 21, 50 },   // CNTK's asymmetric pads
        { "kernel=3,3;strides=2,2;pads=0,0,0,0;ceil=1", 23, 41 },   // ceil mode, a last window hanging over
        { "kernel=3,3;strides=2,2;pads=1,1,1,1;ceil=1", 16, 33 },
        { "kernel=2,2;strides=2,2;pads=0,0,0,0;ceil=0", 17, 23 },   // VGG's pools
        { "kernel=3,3;strides=1,1;pads=1,1,1,1;ceil=0", 12, 19 },   // Inception's "same" pools
        { "kernel=5,3;strides=3,2;pads=2,1,1,0;ceil=0", 19, 29 },
        { "kernel=3,3;strides=3,3;pads=2,2,2,2;ceil=1", 12, 15 },   // ceil mode: a last window starting in the end padding is dropped
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Forward_and_backward_match_onnx_runtime_bit_for_bit(string geometry, int h, int w)
    {
        var pool = MaxPoolGeometry.Parse(geometry);
        var random = new Random(h * 100 + w);
        var x = new float[Channels * h * w];
        // Mostly grid values (ties), some negative everywhere; one channel all negative.
        for (var i = 0; i < x.Length; i++) x[i] = random.Next(-Grid, Grid + 1) / (float)Grid - (i < h * w ? 2f : 0f);
        var (expectedY, expectedIndices, expectedDx, dy) = OnnxRuntimePool(pool, x, h, w, random);
        var (oh, ow) = pool.OutputSize(h, w);
        Assert.Equal(expectedY.Length, Channels * oh * ow);

        foreach (var threads in new[] { 1, 2 })
        {
            var y = new float[Channels * oh * ow];
            var argmax = new int[y.Length];
            var dx = new float[x.Length];
            ManagedMaxPool.Forward(x, Channels, h, w, pool, y, argmax, threads);
            ManagedMaxPool.Backward(dy, argmax, Channels, h, w, pool, dx, threads);

            Assert.Equal(expectedY, y);
            for (var i = 0; i < argmax.Length; i++)
            {
                var channel = i / (oh * ow);
                Assert.Equal(expectedIndices[i] - (long)channel * h * w, argmax[i]);
            }
            Assert.Equal(expectedDx.Select(BitConverter.SingleToInt32Bits), dx.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Ties_go_to_the_first_pixel_in_row_major_window_order()
    {
        // One 3x3/2 window per output on a constant image: every output takes its window's top-left real pixel.
        var pool = new MaxPoolGeometry(3, 3, 2, 2, 1, 1, 1, 1, false);
        const int side = 40;
        var x = Enumerable.Repeat(0.5f, side * side).ToArray();
        var (oh, ow) = pool.OutputSize(side, side);
        var y = new float[oh * ow];
        var argmax = new int[y.Length];
        ManagedMaxPool.Forward(x, 1, side, side, pool, y, argmax, threads: 2);
        for (var ph = 0; ph < oh; ph++)
        {
            for (var pw = 0; pw < ow; pw++)
            {
                Assert.Equal(Math.Max(2 * ph - 1, 0) * side + Math.Max(2 * pw - 1, 0), argmax[ph * ow + pw]);
            }
        }
    }

    /// <summary>ONNX Runtime's MaxPool (values and int64 indices) and the compiler's scatter-add backward of a random dy.</summary>
    private static (float[] Y, long[] Indices, float[] Dx, float[] Dy) OnnxRuntimePool(MaxPoolGeometry pool, float[] x, int h, int w, Random random)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        using var forward = new InferenceSession(MaxPoolProbe.Forward(pool, Channels).ToByteArray(), options);
        using var xValue = OrtValue.CreateTensorValueFromMemory(x, [1, Channels, h, w]);
        using var runOptions = new RunOptions();
        using var pooled = forward.Run(runOptions, ["x"], [xValue], ["y", "indices"]);
        var y = pooled[0].GetTensorDataAsSpan<float>().ToArray();
        var indices = pooled[1].GetTensorDataAsSpan<long>().ToArray();
        var yShape = pooled[0].GetTensorTypeAndShape().Shape;

        var dy = new float[y.Length];
        for (var i = 0; i < dy.Length; i++) dy[i] = (float)(random.NextDouble() * 2 - 1);
        using var backward = new InferenceSession(MaxPoolProbe.Backward(pool, Channels).ToByteArray(), options);
        using var dyValue = OrtValue.CreateTensorValueFromMemory(dy, yShape);
        using var scattered = backward.Run(runOptions, ["x", "dy"], [xValue, dyValue], ["dx"]);
        return (y, indices, scattered[0].GetTensorDataAsSpan<float>().ToArray(), dy);
    }
}
