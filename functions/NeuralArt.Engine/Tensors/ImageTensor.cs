namespace NeuralArt.Engine.Tensors;

/// <summary>
/// An RGB image as float32 planes, the layout the compiled graphs take: <c>[1,3,H,W]</c>, channel
/// planes one after another, rows top to bottom, values nominally in [0,1].
/// </summary>
public sealed class ImageTensor
{
    /// <summary>Colour channels (R, G, B).</summary>
    public const int Channels = 3;

    public ImageTensor(int height, int width)
        : this(height, width, new float[checked(Channels * height * width)]) { }

    /// <summary>Wraps <paramref name="data"/> (not copied); it must hold exactly 3 x H x W values.</summary>
    public ImageTensor(int height, int width, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != (long)Channels * height * width)
        {
            throw new ArgumentException($"Expected {Channels * (long)height * width} values for 3x{height}x{width}, got {data.Length}.", nameof(data));
        }
        Height = height;
        Width = width;
        Data = data;
    }

    public int Height { get; }

    public int Width { get; }

    /// <summary>Pixels per channel plane.</summary>
    public int PlaneSize => Height * Width;

    /// <summary>All values, planar: R plane, G plane, B plane.</summary>
    public float[] Data { get; }

    /// <summary>The ONNX shape <c>[1,3,H,W]</c>.</summary>
    public long[] Shape => [1, Channels, Height, Width];

    public Span<float> Plane(int channel) => Data.AsSpan(channel * PlaneSize, PlaneSize);

    public float this[int channel, int y, int x]
    {
        get => Data[(channel * Height + y) * Width + x];
        set => Data[(channel * Height + y) * Width + x] = value;
    }

    public ImageTensor Clone() => new(Height, Width, (float[])Data.Clone());

    public bool SameSizeAs(ImageTensor other) => Height == other.Height && Width == other.Width;

    public override string ToString() => $"ImageTensor[1,3,{Height},{Width}]";
}
