using Onnx;

namespace NeuralArt.Graphs.Tests.Reference.Ops;

/// <summary>
/// Kernel, strides, dilations and begin/end pads on the two spatial axes of a Conv or pooling node,
/// and the output size rule of the ONNX spec (ceil mode as ONNX Runtime does it: the last window
/// must start inside the image or its begin padding).
/// </summary>
internal sealed record SpatialWindow(int[] Kernel, int[] Strides, int[] Dilations, int[] PadBegin, int[] PadEnd, bool CeilMode)
{
    /// <summary>Reads the window of <paramref name="node"/> for an input of spatial size <paramref name="inputSize"/>.</summary>
    /// <param name="symmetricPads">Make the end pads equal to the begin pads (the compiler's CNTK pad rewrite, <c>PadRewriter</c>).</param>
    public static SpatialWindow Read(NodeProto node, int[] kernel, int[] inputSize, bool symmetricPads)
    {
        var strides = OnnxReading.Ints(node, "strides") ?? [1, 1];
        var dilations = OnnxReading.Ints(node, "dilations") ?? [1, 1];
        var pads = OnnxReading.Ints(node, "pads") ?? [0, 0, 0, 0];
        var ceil = OnnxReading.Int(node, "ceil_mode", 0) != 0;
        if (kernel.Length != 2 || strides.Length != 2 || dilations.Length != 2 || pads.Length != 4)
        {
            throw new NotSupportedException($"{node.OpType} '{node.Name}': the reference supports 2-D windows only.");
        }
        int[] begin = [pads[0], pads[1]];
        int[] end = [pads[2], pads[3]];
        var autoPad = OnnxReading.String(node, "auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET":
                break;
            case "VALID":
                begin = [0, 0];
                end = [0, 0];
                break;
            case "SAME_UPPER":
            case "SAME_LOWER":
                for (var a = 0; a < 2; a++)
                {
                    var outSize = (inputSize[a] + strides[a] - 1) / strides[a];
                    var extent = (kernel[a] - 1) * dilations[a] + 1;
                    var total = Math.Max(0, (outSize - 1) * strides[a] + extent - inputSize[a]);
                    begin[a] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                    end[a] = total - begin[a];
                }
                break;
            default:
                throw new NotSupportedException($"{node.OpType} '{node.Name}': auto_pad '{autoPad}'.");
        }
        if (symmetricPads)
        {
            end = (int[])begin.Clone();
        }
        return new SpatialWindow(kernel, strides, dilations, begin, end, ceil);
    }

    public int Extent(int axis) => (Kernel[axis] - 1) * Dilations[axis] + 1;

    public int OutputSize(int axis, int inputSize)
    {
        var numerator = inputSize + PadBegin[axis] + PadEnd[axis] - Extent(axis);
        if (numerator < 0)
        {
            throw new InvalidOperationException($"Window larger than the padded input ({inputSize}) on axis {axis}.");
        }
        if (!CeilMode) return numerator / Strides[axis] + 1;
        var size = (numerator + Strides[axis] - 1) / Strides[axis] + 1;
        if ((size - 1) * Strides[axis] >= inputSize + PadBegin[axis]) size--;
        return size;
    }
}
