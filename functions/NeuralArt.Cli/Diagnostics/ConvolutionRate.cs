using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NeuralArt.Engine.Runtime;
using NeuralArt.Graphs.Analysis;

namespace NeuralArt.Cli.Diagnostics;

/// <summary>
/// How fast ONNX Runtime's convolutions run here, in multiply-adds per second, measured on a chain
/// of 3x3 convolutions shaped like ResNet-18's layer3 at 1024 px. Dividing a step's convolution
/// multiply-adds by it gives the step's floor: its time if every op but Conv were free.
/// </summary>
internal static class ConvolutionRate
{
    public const int Channels = 256;
    public const int Layers = 8;
    public const int Side = 64;

    public static string Description => $"{Layers} chained 3x3 convolutions, {Channels} channels at {Side}x{Side}";

    /// <summary>Multiply-adds per second; <paramref name="measure"/> times a run and returns its median in ms.</summary>
    public static double Measure(OnnxSessionPool sessions, Func<Action, (double Milliseconds, int Runs)> measure)
    {
        using var lease = sessions.RentBuilt($"convolution-probe:{Channels}x{Layers}", () => ConvolutionProbe.Build(Channels, Layers).ToByteArray());
        var session = lease.Session;
        var values = new float[Channels * Side * Side];
        for (var i = 0; i < values.Length; i++) values[i] = (i % 17) / 17f;
        using var input = OrtValue.CreateTensorValueFromMemory(values, [1, Channels, Side, Side]);
        using var runOptions = new RunOptions();
        var (milliseconds, _) = measure(() =>
        {
            using var outputs = session.Session.Run(runOptions, [ConvolutionProbe.InputName], [input], [ConvolutionProbe.OutputName]);
        });
        return ConvolutionProbe.Macs(Channels, Layers, Side, Side) / (milliseconds / 1000);
    }
}
