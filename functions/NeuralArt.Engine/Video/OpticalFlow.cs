using NeuralArt.Engine.Tensors;
using OpenCvSharp;

namespace NeuralArt.Engine.Video;

/// <summary>
/// Dense optical flow between source frames (OpenCV's Farnebäck through OpenCvSharp: a real,
/// tested implementation rather than a hand-rolled one), the backward warp of an image along a
/// flow, and the forward-backward consistency mask of Ruder, Dosovitskiy and Brox (2016): where the
/// two flows do not undo each other (disocclusions) or the flow changes sharply (motion boundaries),
/// the previous frame says nothing about this one, and the temporal loss is switched off there.
/// </summary>
internal static class OpticalFlow
{
    // Farnebäck's parameters: a five-level pyramid of halves reaches motions of tens of pixels at
    // the working sizes (256-512 px); a 15 px window with the degree-5 polynomial is OpenCV's
    // recommended smooth setting.
    private const double PyramidScale = 0.5;
    private const int PyramidLevels = 5;
    private const int WindowSize = 15;
    private const int FlowIterations = 3;
    private const int PolynomialSize = 5;
    private const double PolynomialSigma = 1.2;

    // The consistency test's constants, as in Ruder et al. (and artistic-videos' consistencyChecker):
    // |f~ + b|^2 > 0.01 (|f~|^2 + |b|^2) + 0.5 marks a disocclusion, |grad b|^2 > 0.01 |b|^2 + 0.002 a motion boundary.
    private const float OcclusionRelative = 0.01f;
    private const float OcclusionAbsolute = 0.5f;
    private const float BoundaryRelative = 0.01f;
    private const float BoundaryAbsolute = 0.002f;

    /// <summary>
    /// The flow from <paramref name="from"/> to <paramref name="to"/> (same size): pixel p of
    /// <paramref name="from"/> matches <c>p + flow(p)</c> of <paramref name="to"/>. Computed on luminance.
    /// </summary>
    public static FlowField Compute(ImageTensor from, ImageTensor to)
    {
        if (from.Height != to.Height || from.Width != to.Width) throw new ArgumentException("Flow is computed between frames of the same size.", nameof(to));
        using var first = Gray(from);
        using var second = Gray(to);
        using var flow = new Mat();
        Cv2.CalcOpticalFlowFarneback(first, second, flow, PyramidScale, PyramidLevels, WindowSize, FlowIterations, PolynomialSize, PolynomialSigma, OpticalFlowFlags.None);
        var data = new float[2 * from.Height * from.Width];
        flow.GetArray(out Vec2f[] vectors);
        for (var i = 0; i < vectors.Length; i++)
        {
            data[2 * i] = vectors[i].Item0;
            data[2 * i + 1] = vectors[i].Item1;
        }
        return new FlowField(from.Height, from.Width, data);
    }

    /// <summary>8-bit luminance (Rec. 601) of a planar image, as OpenCV's single-channel Mat.</summary>
    private static Mat Gray(ImageTensor image)
    {
        var plane = image.PlaneSize;
        var bytes = new byte[plane];
        var data = image.Data;
        for (var i = 0; i < plane; i++)
        {
            var y = 0.299f * data[i] + 0.587f * data[plane + i] + 0.114f * data[2 * plane + i];
            bytes[i] = (byte)Math.Clamp(MathF.Round(y * byte.MaxValue), 0, byte.MaxValue);
        }
        var mat = new Mat(image.Height, image.Width, MatType.CV_8UC1);
        mat.SetArray(bytes);
        return mat;
    }

    /// <summary>
    /// <paramref name="image"/> (frame k) moved onto frame k+1 along <paramref name="backward"/> (the
    /// flow from frame k+1 to frame k): pixel p of the result is <paramref name="image"/> at
    /// <c>p + backward(p)</c>, bilinear; a point outside the image takes its nearest edge pixel.
    /// </summary>
    public static ImageTensor Warp(ImageTensor image, FlowField backward)
    {
        CheckSize(image, backward);
        var (height, width, plane) = (image.Height, image.Width, image.PlaneSize);
        var result = new ImageTensor(height, width);
        var source = image.Data;
        var target = result.Data;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var sx = Math.Clamp(x + backward.Dx(y, x), 0f, width - 1);
                var sy = Math.Clamp(y + backward.Dy(y, x), 0f, height - 1);
                var x0 = Math.Min((int)sx, width - 2 < 0 ? 0 : width - 2);
                var y0 = Math.Min((int)sy, height - 2 < 0 ? 0 : height - 2);
                var x1 = Math.Min(x0 + 1, width - 1);
                var y1 = Math.Min(y0 + 1, height - 1);
                var fx = sx - x0;
                var fy = sy - y0;
                for (var c = 0; c < ImageTensor.Channels; c++)
                {
                    var o = c * plane;
                    var top = source[o + y0 * width + x0] * (1 - fx) + source[o + y0 * width + x1] * fx;
                    var bottom = source[o + y1 * width + x0] * (1 - fx) + source[o + y1 * width + x1] * fx;
                    target[o + y * width + x] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        return result;
    }

    /// <summary>
    /// The consistency mask on frame k+1 (1: the warped previous frame is trusted there, 0: not), from
    /// <paramref name="forward"/> (frame k to k+1) and <paramref name="backward"/> (k+1 to k): 0 where
    /// the backward flow leaves the image, where following it and coming back does not return to the
    /// start (disocclusion), and at motion boundaries.
    /// </summary>
    public static float[] ConsistencyMask(FlowField forward, FlowField backward)
    {
        if (forward.Height != backward.Height || forward.Width != backward.Width) throw new ArgumentException("The two flows must have the same size.", nameof(backward));
        var (height, width) = (backward.Height, backward.Width);
        var mask = new float[height * width];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var bx = backward.Dx(y, x);
                var by = backward.Dy(y, x);
                var sx = x + bx;
                var sy = y + by;
                if (sx < 0 || sy < 0 || sx > width - 1 || sy > height - 1) continue;
                var (fx, fy) = Sample(forward, sy, sx);
                var sumX = fx + bx;
                var sumY = fy + by;
                var backwardSquared = bx * bx + by * by;
                if (sumX * sumX + sumY * sumY > OcclusionRelative * (fx * fx + fy * fy + backwardSquared) + OcclusionAbsolute) continue;
                var gradient = GradientSquared(backward, y, x);
                if (gradient > BoundaryRelative * backwardSquared + BoundaryAbsolute) continue;
                mask[y * width + x] = 1f;
            }
        }
        return mask;
    }

    /// <summary>The flow at a fractional point, bilinear.</summary>
    private static (float Dx, float Dy) Sample(FlowField flow, float y, float x)
    {
        var x0 = Math.Min((int)x, Math.Max(flow.Width - 2, 0));
        var y0 = Math.Min((int)y, Math.Max(flow.Height - 2, 0));
        var x1 = Math.Min(x0 + 1, flow.Width - 1);
        var y1 = Math.Min(y0 + 1, flow.Height - 1);
        var ax = x - x0;
        var ay = y - y0;
        float Lerp(int component)
        {
            var d = flow.Data;
            var w = flow.Width;
            var top = d[2 * (y0 * w + x0) + component] * (1 - ax) + d[2 * (y0 * w + x1) + component] * ax;
            var bottom = d[2 * (y1 * w + x0) + component] * (1 - ax) + d[2 * (y1 * w + x1) + component] * ax;
            return top * (1 - ay) + bottom * ay;
        }
        return (Lerp(0), Lerp(1));
    }

    /// <summary>|grad dx|^2 + |grad dy|^2 of a flow at a pixel (forward differences, zero at the far edges).</summary>
    private static float GradientSquared(FlowField flow, int y, int x)
    {
        float sum = 0;
        for (var component = 0; component < 2; component++)
        {
            var here = flow.Data[2 * (y * flow.Width + x) + component];
            var right = x + 1 < flow.Width ? flow.Data[2 * (y * flow.Width + x + 1) + component] - here : 0f;
            var down = y + 1 < flow.Height ? flow.Data[2 * ((y + 1) * flow.Width + x) + component] - here : 0f;
            sum += right * right + down * down;
        }
        return sum;
    }

    private static void CheckSize(ImageTensor image, FlowField flow)
    {
        if (image.Height != flow.Height || image.Width != flow.Width)
        {
            throw new ArgumentException($"The flow is {flow.Width}x{flow.Height}, the image {image.Width}x{image.Height}.", nameof(flow));
        }
    }

    /// <summary>
    /// The temporal error of Ruder et al.'s evaluation: mean |next - warped previous| over the pixels
    /// (and channels) the mask keeps, or over all when <paramref name="mask"/> is null.
    /// </summary>
    public static double TemporalError(ImageTensor next, ImageTensor warpedPrevious, float[]? mask)
    {
        var plane = next.PlaneSize;
        double sum = 0;
        double count = 0;
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            for (var i = 0; i < plane; i++)
            {
                var weight = mask is null ? 1f : mask[i];
                if (weight == 0) continue;
                sum += weight * Math.Abs(next.Data[c * plane + i] - warpedPrevious.Data[c * plane + i]);
                count += weight;
            }
        }
        return count == 0 ? 0 : sum / count;
    }
}
