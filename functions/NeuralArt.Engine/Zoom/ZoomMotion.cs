using NeuralArt.Engine.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Zoom;

/// <summary>
/// The camera move from one frame to the next start image: zoom into the centre by
/// <see cref="Zoom"/> (the centre 1/zoom of each side enlarged to the full size), turn by
/// <see cref="RotateDegrees"/> about the centre (positive: the picture turns clockwise on screen)
/// and move the view by (<see cref="ShiftX"/>, <see cref="ShiftY"/>) pixels of the frame. All three
/// are one inverse mapping sampled bilinearly (edges repeat where a turn uncovers the corners), in
/// plain double arithmetic on the 8-bit frame as saved: the result depends on nothing but the
/// frame's bytes, so a resumed job makes the same next frame.
/// </summary>
public sealed record ZoomMotion(double Zoom, double RotateDegrees, double ShiftX, double ShiftY)
{
    private const double DegreesPerHalfTurn = 180;
    /// <summary>Pixel centres sit half a pixel from their corners.</summary>
    private const double PixelCentre = 0.5;
    private const double MaxByte = byte.MaxValue;

    /// <summary>The next frame's start image: <paramref name="frame"/> moved by this motion, at the same size.</summary>
    public Image<Rgb24> Apply(Image<Rgb24> frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var (width, height) = (frame.Width, frame.Height);
        var source = frame.ToRgbBytes();
        var result = new byte[source.Length];
        var angle = RotateDegrees * Math.PI / DegreesPerHalfTurn;
        // Output pixel p maps to the source point centre + shift + R(-angle) (p - centre) / zoom.
        var cos = Math.Cos(angle) / Zoom;
        var sin = Math.Sin(angle) / Zoom;
        var (cx, cy) = (width / 2.0, height / 2.0);
        for (var y = 0; y < height; y++)
        {
            var v = y + PixelCentre - cy;
            for (var x = 0; x < width; x++)
            {
                var u = x + PixelCentre - cx;
                // Back to pixel-centre coordinates of the source for the bilinear weights.
                var sx = cx + ShiftX + u * cos + v * sin - PixelCentre;
                var sy = cy + ShiftY - u * sin + v * cos - PixelCentre;
                Sample(source, width, height, sx, sy, result.AsSpan((y * width + x) * ImageTensor.Channels, ImageTensor.Channels));
            }
        }
        return ImageTensorConversions.FromRgbBytes(result, width, height);
    }

    private static void Sample(byte[] source, int width, int height, double x, double y, Span<byte> pixel)
    {
        x = Math.Clamp(x, 0, width - 1);
        y = Math.Clamp(y, 0, height - 1);
        var x0 = (int)Math.Floor(x);
        var y0 = (int)Math.Floor(y);
        var x1 = Math.Min(x0 + 1, width - 1);
        var y1 = Math.Min(y0 + 1, height - 1);
        var (fx, fy) = (x - x0, y - y0);
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            double At(int px, int py) => source[(py * width + px) * ImageTensor.Channels + c];
            var top = At(x0, y0) + (At(x1, y0) - At(x0, y0)) * fx;
            var bottom = At(x0, y1) + (At(x1, y1) - At(x0, y1)) * fx;
            pixel[c] = (byte)Math.Clamp(Math.Round(top + (bottom - top) * fy, MidpointRounding.AwayFromZero), 0, MaxByte);
        }
    }
}
