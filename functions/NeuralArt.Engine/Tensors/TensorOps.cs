using System.Runtime.CompilerServices;

namespace NeuralArt.Engine.Tensors;

/// <summary>
/// Element-wise and shifting operations on planar [3,H,W] float data, as <see cref="ImageTensor"/>s
/// or as spans (the runtime's aligned buffers). All are sequential with a fixed order of
/// operations, so the same inputs always give bit-identical outputs. The per-step loops are
/// compiled fully optimized at their first call (<c>AggressiveOptimization</c>): a process's first
/// dream steps would otherwise run them as unoptimized code.
/// </summary>
public static class TensorOps
{
    /// <summary>
    /// Cyclic shift, like <c>numpy.roll</c> on the H and W axes:
    /// <c>destination[c, (y + dy) mod H, (x + dx) mod W] = source[c, y, x]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Roll(ReadOnlySpan<float> source, Span<float> destination, int height, int width, int dy, int dx)
    {
        RequireLength(source.Length, height, width);
        RequireLength(destination.Length, height, width);
        if (source.Overlaps(destination)) throw new ArgumentException("Roll cannot work in place.", nameof(destination));
        dy = Mod(dy, height);
        dx = Mod(dx, width);
        var plane = height * width;
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            var src = source.Slice(c * plane, plane);
            var dst = destination.Slice(c * plane, plane);
            for (var y = 0; y < height; y++)
            {
                var from = src.Slice(y * width, width);
                var to = dst.Slice(((y + dy) % height) * width, width);
                // Row [0, w-dx) moves to [dx, w); row [w-dx, w) wraps to [0, dx).
                from[..(width - dx)].CopyTo(to[dx..]);
                from[(width - dx)..].CopyTo(to[..dx]);
            }
        }
    }

    public static void Roll(ImageTensor source, ImageTensor destination, int dy, int dx)
    {
        RequireSameSize(source, destination);
        Roll(source.Data, destination.Data, source.Height, source.Width, dy, dx);
    }

    public static ImageTensor Roll(ImageTensor source, int dy, int dx)
    {
        var result = new ImageTensor(source.Height, source.Width);
        Roll(source, result, dy, dx);
        return result;
    }

    /// <summary>
    /// <c>target[c,y,x] += scale * rolled[c, (y + dy) mod H, (x + dx) mod W]</c>: adds a gradient that
    /// was computed on <c>Roll(target, dy, dx)</c> back in <paramref name="target"/>'s own coordinates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRolledScaled(ImageTensor target, ReadOnlySpan<float> rolled, int dy, int dx, float scale)
    {
        int h = target.Height, w = target.Width;
        RequireLength(rolled.Length, h, w);
        dy = Mod(dy, h);
        dx = Mod(dx, w);
        var plane = h * w;
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            var dst = target.Plane(c);
            var src = rolled.Slice(c * plane, plane);
            for (var y = 0; y < h; y++)
            {
                var to = dst.Slice(y * w, w);
                var from = src.Slice(((y + dy) % h) * w, w);
                AddScaled(to[..(w - dx)], from[dx..], scale);
                AddScaled(to[(w - dx)..], from[..dx], scale);
            }
        }
    }

    /// <summary>Clamps every value to [<paramref name="min"/>, <paramref name="max"/>]; NaN becomes <paramref name="min"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Clamp(ImageTensor tensor, float min, float max)
    {
        var data = tensor.Data;
        for (var i = 0; i < data.Length; i++)
        {
            var v = data[i];
            data[i] = v > min ? (v < max ? v : max) : min;
        }
    }

    /// <summary><c>a + b</c> as a new tensor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImageTensor Add(ImageTensor a, ImageTensor b)
    {
        RequireSameSize(a, b);
        var result = new ImageTensor(a.Height, a.Width);
        for (var i = 0; i < result.Data.Length; i++) result.Data[i] = a.Data[i] + b.Data[i];
        return result;
    }

    /// <summary><c>a - b</c> as a new tensor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImageTensor Subtract(ImageTensor a, ImageTensor b)
    {
        RequireSameSize(a, b);
        var result = new ImageTensor(a.Height, a.Width);
        for (var i = 0; i < result.Data.Length; i++) result.Data[i] = a.Data[i] - b.Data[i];
        return result;
    }

    /// <summary><c>target += scale * source</c>, element-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float scale)
    {
        if (target.Length != source.Length) throw new ArgumentException("Spans differ in length.", nameof(source));
        for (var i = 0; i < target.Length; i++) target[i] += scale * source[i];
    }

    /// <summary>Mean of absolute values, accumulated in double in index order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double MeanAbs(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) return 0;
        var sum = 0.0;
        foreach (var v in values) sum += Math.Abs(v);
        return sum / values.Length;
    }

    /// <summary>
    /// Copies a <paramref name="height"/> x <paramref name="width"/> window, all channels, between
    /// planar buffers of sizes <paramref name="sourceSize"/> and <paramref name="destinationSize"/>.
    /// </summary>
    public static void CopyRegion(
        ReadOnlySpan<float> source, (int Height, int Width) sourceSize, int sourceY, int sourceX,
        Span<float> destination, (int Height, int Width) destinationSize, int destinationY, int destinationX,
        int height, int width)
    {
        RequireLength(source.Length, sourceSize.Height, sourceSize.Width);
        RequireLength(destination.Length, destinationSize.Height, destinationSize.Width);
        if (sourceY < 0 || sourceX < 0 || sourceY + height > sourceSize.Height || sourceX + width > sourceSize.Width ||
            destinationY < 0 || destinationX < 0 || destinationY + height > destinationSize.Height || destinationX + width > destinationSize.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(height), "The region does not fit in both tensors.");
        }
        var sourcePlane = sourceSize.Height * sourceSize.Width;
        var destinationPlane = destinationSize.Height * destinationSize.Width;
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var y = 0; y < height; y++)
            {
                source.Slice(c * sourcePlane + (sourceY + y) * sourceSize.Width + sourceX, width)
                    .CopyTo(destination.Slice(c * destinationPlane + (destinationY + y) * destinationSize.Width + destinationX, width));
            }
        }
    }

    public static void CopyRegion(
        ImageTensor source, int sourceY, int sourceX,
        ImageTensor destination, int destinationY, int destinationX,
        int height, int width) =>
        CopyRegion(source.Data, (source.Height, source.Width), sourceY, sourceX,
            destination.Data, (destination.Height, destination.Width), destinationY, destinationX, height, width);

    private static int Mod(int value, int modulus) => ((value % modulus) + modulus) % modulus;

    private static void RequireLength(int length, int height, int width)
    {
        if (height <= 0 || width <= 0 || length != (long)ImageTensor.Channels * height * width)
        {
            throw new ArgumentException($"Expected 3x{height}x{width} values, got {length}.");
        }
    }

    private static void RequireSameSize(ImageTensor a, ImageTensor b)
    {
        if (!a.SameSizeAs(b))
        {
            throw new ArgumentException($"Tensor sizes differ: {a.Height}x{a.Width} and {b.Height}x{b.Width}.");
        }
    }
}
