using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Style;

/// <summary>
/// The temporal loss of Ruder, Dosovitskiy and Brox (2016), <c>weight * sum(c * (x - w)^2) / D</c>:
/// keeps the optimized canvas <c>x</c> close to the previous frame's result warped onto this one
/// (<c>w</c>) wherever the consistency mask <c>c</c> trusts the warp; D is the picture's value count.
/// It is evaluated in C# beside the compiled graph (its gradient <c>2 weight c (x - w) / D</c> is
/// added to the graph's), so the style graphs stay the still engine's.
/// </summary>
internal sealed class TemporalTerm
{
    private readonly float[] _target;
    private readonly float[] _mask;
    private readonly int _plane;
    private readonly double _scale;

    /// <param name="target">The warped previous result on the canvas (same size as the optimized image).</param>
    /// <param name="mask">Per canvas pixel, 0..1 (0 in the margin).</param>
    /// <param name="values">D: the picture's values (3 x H x W without the margin).</param>
    public TemporalTerm(ImageTensor target, float[] mask, double weight, long values)
    {
        if (mask.Length != target.PlaneSize) throw new ArgumentException("The mask must cover the canvas.", nameof(mask));
        _target = target.Data;
        _mask = mask;
        _plane = target.PlaneSize;
        _scale = weight / values;
    }

    /// <summary>Adds the term's gradient to <paramref name="gradient"/> and returns its value.</summary>
    public double Add(float[] x, float[] gradient)
    {
        if (_scale == 0) return 0;
        var twice = (float)(2 * _scale);
        double sum = 0;
        for (var c = 0; c < ImageTensor.Channels; c++)
        {
            var offset = c * _plane;
            for (var i = 0; i < _plane; i++)
            {
                var m = _mask[i];
                if (m == 0) continue;
                var d = x[offset + i] - _target[offset + i];
                sum += m * d * (double)d;
                gradient[offset + i] += twice * m * d;
            }
        }
        return _scale * sum;
    }

    /// <summary>
    /// The term for a canvas with <paramref name="margin"/>: the output-size <paramref name="warped"/>
    /// image padded like the canvas, the output-size <paramref name="mask"/> padded with zeros.
    /// </summary>
    public static TemporalTerm ForCanvas(ImageTensor warped, float[] mask, int margin, double weight)
    {
        var target = StyleCanvas.Pad(warped, margin);
        var (height, width) = (warped.Height, warped.Width);
        var canvasWidth = width + 2 * margin;
        var padded = new float[target.PlaneSize];
        for (var y = 0; y < height; y++) Array.Copy(mask, y * width, padded, (y + margin) * canvasWidth + margin, width);
        return new TemporalTerm(target, padded, weight, (long)ImageTensor.Channels * height * width);
    }
}
