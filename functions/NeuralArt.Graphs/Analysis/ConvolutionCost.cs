using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Onnx;
using NeuralArt.Graphs.Surgery;
using Onnx;

namespace NeuralArt.Graphs.Analysis;

/// <summary>
/// Counts the multiply-adds of the convolutions a compiled graph must run: the forward network cut
/// at the taps (the same surgery the compiler does), at a given image size. A gradient step needs
/// at least twice that: every Conv once forward and once more for its input gradient, which costs
/// as many multiply-adds. Benchmarks divide these counts by a measured convolution rate to give the
/// floor no graph rewrite can beat.
/// </summary>
public sealed class ConvolutionCost : INetworkCost
{
    private readonly BackboneGraph _graph;
    private readonly Dictionary<string, long> _channels;
    private readonly IReadOnlyDictionary<string, string> _tapTensors;

    private ConvolutionCost(BackboneGraph graph, IReadOnlyDictionary<string, string> tapTensors)
    {
        _graph = graph;
        _channels = ChannelInference.Infer(graph);
        _tapTensors = tapTensors;
    }

    /// <summary>The cost model of <paramref name="backbone"/> cut at <paramref name="taps"/> (tap names of the manifest).</summary>
    public static ConvolutionCost Of(ModelProto backbone, BackboneManifest manifest, IEnumerable<string> taps)
    {
        var byTap = taps.Distinct(StringComparer.Ordinal).ToDictionary(t => t, manifest.ResolveTap, StringComparer.Ordinal);
        var tapTensors = byTap.Values.Distinct(StringComparer.Ordinal).ToList();
        if (tapTensors.Count == 0) throw new GraphCompilationException("No taps given.");
        return new ConvolutionCost(ForwardSurgery.Prepare(backbone, manifest, tapTensors), byTap);
    }

    /// <summary>The cost model of the manifest's backbone (read from disk) cut at <paramref name="taps"/>.</summary>
    public static ConvolutionCost Of(BackboneManifest manifest, IEnumerable<string> taps) =>
        Of(ModelProto.Parser.ParseFrom(File.ReadAllBytes(manifest.BackbonePath)), manifest, taps);

    /// <summary>Multiply-adds of the convolutions of one gradient step: each Conv forward and once more for its input gradient.</summary>
    public long GradientStepMacs(int height, int width) => 2 * ForwardMacs(height, width);

    /// <summary>Multiply-adds of every Conv between the image and the taps, for an image of the given size.</summary>
    public long ForwardMacs(int height, int width) => Walk(height, width).Macs;

    /// <summary>
    /// Values of every activation between the image and the taps (channels x height x width, summed
    /// over nodes): what a forward pass writes, and about what its backward pass keeps alive.
    /// </summary>
    public long ActivationValues(int height, int width) => Walk(height, width).Values;

    /// <summary>Channels of a tap of the cut network, or null when they cannot be inferred statically.</summary>
    public long? TapChannels(string tap) =>
        _tapTensors.TryGetValue(tap, out var tensor) && _channels.TryGetValue(tensor, out var c) ? c : null;

    private (long Macs, long Values) Walk(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var graph = _graph;
        var sizes = new Dictionary<string, (long H, long W)>(StringComparer.Ordinal) { [graph.Input] = (height, width) };
        long macs = 0, values = 0;
        foreach (var node in graph.Nodes)
        {
            var input = InputSize(node, sizes);
            if (input is not { } x) continue;
            (long H, long W) output;
            switch (node.OpType)
            {
                case "Conv":
                    var weight = graph.Initializers[node.Input[1]];
                    var kernel = weight.Dims.Skip(2).ToArray();
                    output = Window(node, x, kernel, ceil: false);
                    // [Cout, Cin/group, kh, kw]: each output value is Cin/group * kh * kw multiply-adds.
                    macs += output.H * output.W * weight.Dims.Aggregate(1L, (p, d) => p * d);
                    break;
                case "MaxPool" or "AveragePool":
                    output = Window(node, x, node.GetInts("kernel_shape")!, ceil: node.GetInt("ceil_mode", 0) != 0);
                    break;
                case "GlobalAveragePool" or "GlobalMaxPool":
                    output = (1, 1);
                    break;
                case "Pad":
                    var pads = node.Input.Count > 1 && graph.Initializers.TryGetValue(node.Input[1], out var padTensor)
                        ? Tensors.ReadInt64s(padTensor)
                        : node.GetInts("pads") ?? new long[8];
                    output = (x.H + pads[2] + pads[6], x.W + pads[3] + pads[7]);
                    break;
                default:
                    output = x; // Elementwise, activations, LRN, Concat: the spatial size of the inputs.
                    break;
            }
            sizes[node.Output[0]] = output;
            if (_channels.TryGetValue(node.Output[0], out var channels)) values += channels * output.H * output.W;
        }
        return (macs, values);
    }

    /// <summary>The largest known spatial size among a node's inputs (broadcast [N,C,1,1] operands are smaller).</summary>
    private static (long H, long W)? InputSize(NodeProto node, Dictionary<string, (long H, long W)> sizes)
    {
        (long H, long W)? best = null;
        foreach (var input in node.Input)
        {
            if (!sizes.TryGetValue(input, out var size)) continue;
            if (best is not { } b || size.H * size.W > b.H * b.W) best = size;
        }
        return best;
    }

    /// <summary>Output size of a sliding window, as ONNX Runtime computes it (ceil mode drops a window that starts in the end pad).</summary>
    private static (long H, long W) Window(NodeProto node, (long H, long W) input, long[] kernel, bool ceil)
    {
        var strides = node.GetInts("strides") ?? [1, 1];
        var dilations = node.GetInts("dilations") ?? [1, 1];
        var pads = node.GetInts("pads") ?? new long[4];
        long Axis(long size, int i)
        {
            var span = size + pads[i] + pads[i + 2] - ((kernel[i] - 1) * dilations[i] + 1);
            var count = (ceil ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
            if (ceil && (count - 1) * strides[i] >= size + pads[i]) count--;
            return count;
        }
        return (Axis(input.H, 0), Axis(input.W, 1));
    }
}
