namespace NeuralArt.Engine.Video;

/// <summary>
/// A dense optical flow between two frames of the same size: for each pixel p of the frame it was
/// computed on, the displacement (dx, dy) in pixels to the matching point of the other frame,
/// interleaved per pixel as OpenCV's CV_32FC2 keeps it.
/// </summary>
internal sealed class FlowField
{
    public FlowField(int height, int width, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (data.Length != 2L * height * width) throw new ArgumentException($"Expected {2L * height * width} values for a {width}x{height} flow, got {data.Length}.", nameof(data));
        Height = height;
        Width = width;
        Data = data;
    }

    public int Height { get; }

    public int Width { get; }

    /// <summary>(dx, dy) of pixel (y, x) at <c>2 * (y * Width + x)</c>.</summary>
    public float[] Data { get; }

    public float Dx(int y, int x) => Data[2 * (y * Width + x)];

    public float Dy(int y, int x) => Data[2 * (y * Width + x) + 1];

    /// <summary>A flow of the same displacement everywhere (a camera pan: known motion).</summary>
    public static FlowField Uniform(int height, int width, float dx, float dy)
    {
        var data = new float[2 * height * width];
        for (var i = 0; i < data.Length; i += 2)
        {
            data[i] = dx;
            data[i + 1] = dy;
        }
        return new FlowField(height, width, data);
    }
}
