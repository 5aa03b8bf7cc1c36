namespace NeuralArt.Graphs.Import;

/// <summary>
/// Keras' padding modes as ONNX's explicit pads <c>[top, left, bottom, right]</c>. <c>valid</c> pads
/// nothing. <c>same</c> pads <c>k_eff - s</c> in total for an input that is a multiple of the stride
/// (what TensorFlow computes there), the odd pixel at the end: asymmetric when that total is odd
/// (an even kernel at stride 1, a 3x3 kernel at stride 2). TensorFlow's pads at stride 2 depend on
/// the input size; ONNX's static pads cannot, so inputs that are not multiples of the stride get one
/// pad row more than TensorFlow would use (the features agree at multiples of the stride).
/// </summary>
internal static class KerasPadding
{
    public static long[] Pads(string? padding, long[] kernel, long[] strides, long[] dilations, string layer)
    {
        switch (padding)
        {
            case "valid":
                return new long[kernel.Length * 2];
            case "same":
                var pads = new long[kernel.Length * 2];
                for (var i = 0; i < kernel.Length; i++)
                {
                    var effective = (kernel[i] - 1) * dilations[i] + 1;
                    var total = Math.Max(effective - strides[i], 0);
                    pads[i] = total / 2;
                    pads[i + kernel.Length] = total - total / 2;
                }
                return pads;
            default:
                throw new GraphCompilationException($"Layer '{layer}': padding '{padding}' is not supported (valid, same).");
        }
    }
}
