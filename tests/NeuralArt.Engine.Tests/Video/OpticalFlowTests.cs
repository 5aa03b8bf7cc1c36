using NeuralArt.Engine.Common;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Video;

namespace NeuralArt.Engine.Tests.Video;

public sealed class OpticalFlowTests
{
    private const int Size = 96;

    /// <summary>Smooth random texture (box-blurred noise), so every pixel has structure for the flow to follow.</summary>
    internal static ImageTensor Texture(int height, int width, ulong seed)
    {
        var random = new SplitMix64(seed);
        var noise = new float[height * width];
        for (var i = 0; i < noise.Length; i++) noise[i] = (float)((random.NextUInt64() >> 40) * (1.0 / (1UL << 24)));
        const int radius = 2;
        var image = new ImageTensor(height, width);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                float sum = 0;
                var n = 0;
                for (var dy = -radius; dy <= radius; dy++)
                {
                    for (var dx = -radius; dx <= radius; dx++)
                    {
                        var yy = Math.Clamp(y + dy, 0, height - 1);
                        var xx = Math.Clamp(x + dx, 0, width - 1);
                        sum += noise[yy * width + xx];
                        n++;
                    }
                }
                for (var c = 0; c < ImageTensor.Channels; c++) image.Data[c * height * width + y * width + x] = sum / n;
            }
        }
        return image;
    }

    /// <summary>A crop of <paramref name="scene"/> whose top-left corner is at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    internal static ImageTensor Crop(ImageTensor scene, int top, int left, int height, int width)
    {
        var crop = new ImageTensor(height, width);
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var y = 0; y < height; y++)
            {
                Array.Copy(scene.Data, c * scene.PlaneSize + (top + y) * scene.Width + left, crop.Data, c * crop.PlaneSize + y * width, width);
            }
        }
        return crop;
    }

    [Fact]
    public void Farneback_recovers_a_known_shift()
    {
        var scene = Texture(Size + 16, Size + 16, 7);
        // The camera moves 3 px right and 2 px down: content moves 3 px left and 2 px up.
        var first = Crop(scene, 4, 4, Size, Size);
        var second = Crop(scene, 6, 7, Size, Size);

        var forward = OpticalFlow.Compute(first, second);
        var (dx, dy) = MeanInterior(forward, margin: 12);
        Assert.InRange(dx, -3.3, -2.7);
        Assert.InRange(dy, -2.3, -1.7);

        var backward = OpticalFlow.Compute(second, first);
        (dx, dy) = MeanInterior(backward, margin: 12);
        Assert.InRange(dx, 2.7, 3.3);
        Assert.InRange(dy, 1.7, 2.3);
    }

    [Fact]
    public void Warping_the_first_frame_along_the_backward_flow_gives_the_second()
    {
        var scene = Texture(Size + 16, Size + 16, 11);
        var first = Crop(scene, 4, 4, Size, Size);
        var second = Crop(scene, 6, 7, Size, Size);

        var exact = OpticalFlow.Warp(first, FlowField.Uniform(Size, Size, 3, 2));
        var interior = Interior(Size, margin: 4);
        Assert.True(OpticalFlow.TemporalError(second, exact, interior) < 1e-6, "a known integer shift warps exactly");

        var measured = OpticalFlow.Warp(first, OpticalFlow.Compute(second, first));
        var unwarped = OpticalFlow.TemporalError(second, first, Interior(Size, margin: 12));
        var warped = OpticalFlow.TemporalError(second, measured, Interior(Size, margin: 12));
        Assert.True(warped < unwarped / 5, $"warp error {warped:F4} vs {unwarped:F4} without warp");
    }

    [Fact]
    public void Consistency_mask_is_zero_where_the_background_is_disoccluded_and_at_the_entering_edge()
    {
        // A textured square moves 6 px right over a textured, still background.
        var background = Texture(Size, Size, 3);
        var square = Texture(Size, Size, 5);
        const int top = 30, side = 36, left = 24, move = 6;
        var first = Composite(background, square, top, left, side);
        var second = Composite(background, square, top, left + move, side);

        var forward = OpticalFlow.Compute(first, second);
        var backward = OpticalFlow.Compute(second, first);
        var mask = OpticalFlow.ConsistencyMask(forward, backward);

        // The strip the square uncovered (background in frame 2, square in frame 1): no match in frame 1.
        var uncovered = MeanMask(mask, top + 4, top + side - 4, left + 1, left + move - 1);
        // Background far from the square: trusted.
        var still = MeanMask(mask, 4, 20, 4, Size - 4);
        Assert.True(uncovered < 0.3, $"mask {uncovered:F2} over the disoccluded strip");
        Assert.True(still > 0.9, $"mask {still:F2} over the still background");

        // A pan: the columns entering at the right edge come from outside frame 1.
        var panForward = FlowField.Uniform(Size, Size, -4, 0);
        var panBackward = FlowField.Uniform(Size, Size, 4, 0);
        var panMask = OpticalFlow.ConsistencyMask(panForward, panBackward);
        Assert.Equal(0, MeanMask(panMask, 0, Size, Size - 4, Size));
        Assert.Equal(1, MeanMask(panMask, 0, Size, 0, Size - 5));
    }

    private static ImageTensor Composite(ImageTensor background, ImageTensor square, int top, int left, int side)
    {
        var image = new ImageTensor(background.Height, background.Width, (float[])background.Data.Clone());
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var y = 0; y < side; y++)
            {
                for (var x = 0; x < side; x++)
                {
                    image.Data[c * image.PlaneSize + (top + y) * image.Width + left + x] = square.Data[c * square.PlaneSize + y * square.Width + x];
                }
            }
        }
        return image;
    }

    private static (double Dx, double Dy) MeanInterior(FlowField flow, int margin)
    {
        double dx = 0, dy = 0;
        var n = 0;
        for (var y = margin; y < flow.Height - margin; y++)
        {
            for (var x = margin; x < flow.Width - margin; x++)
            {
                dx += flow.Dx(y, x);
                dy += flow.Dy(y, x);
                n++;
            }
        }
        return (dx / n, dy / n);
    }

    private static float[] Interior(int size, int margin)
    {
        var mask = new float[size * size];
        for (var y = margin; y < size - margin; y++)
        {
            for (var x = margin; x < size - margin; x++) mask[y * size + x] = 1;
        }
        return mask;
    }

    private static double MeanMask(float[] mask, int top, int bottom, int left, int right)
    {
        double sum = 0;
        var n = 0;
        for (var y = top; y < bottom; y++)
        {
            for (var x = left; x < right; x++)
            {
                sum += mask[y * Size + x];
                n++;
            }
        }
        return sum / n;
    }
}
