using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Style;

/// <summary>
/// Colour preservation (Gatys, Bethge, Hertzmann and Shechtman, "Preserving Color in Neural
/// Artistic Style Transfer", 2016): luminance-only transfer in YIQ, and colour histogram matching
/// of the style to the content by mean and covariance ("image analogies" colour transfer).
/// </summary>
public static class ColorTransfer
{
    /// <summary>NTSC RGB to YIQ.</summary>
    private static readonly double[,] ToYiq =
    {
        { 0.299, 0.587, 0.114 },
        { 0.595716, -0.274453, -0.321263 },
        { 0.211456, -0.522591, 0.311135 },
    };

    /// <summary>The exact inverse of <see cref="ToYiq"/>, so RGB -> YIQ -> RGB is the identity to float precision.</summary>
    private static readonly double[,] FromYiq = Matrix3.Inverse(ToYiq);

    /// <summary>Keeps a flat image's normalization finite.</summary>
    private const double VarianceFloor = 1e-8;

    /// <summary>The image's luminance Y copied into all three channels (the network still sees an RGB image).</summary>
    public static ImageTensor Luminance(ImageTensor image)
    {
        var result = new ImageTensor(image.Height, image.Width);
        var y = LuminancePlane(image);
        for (var c = 0; c < ImageTensor.Channels; c++) y.CopyTo(result.Plane(c));
        return result;
    }

    /// <summary>
    /// Shifts and scales <paramref name="style"/>'s luminance to the mean and standard deviation of
    /// <paramref name="content"/>'s (both gray images from <see cref="Luminance"/>), so the transfer
    /// does not change the content's overall brightness and contrast. With weights (a mask plane of
    /// the same size, in [0,1]; empty: every pixel counts once) the statistics are those of the
    /// weighted parts: a style mask's part of the painting, a region mask's part of the photo.
    /// </summary>
    public static ImageTensor MatchLuminance(ImageTensor style, ImageTensor content, ReadOnlySpan<float> styleWeights = default, ReadOnlySpan<float> contentWeights = default)
    {
        var (ms, ss) = MeanStd(style.Plane(0), styleWeights);
        var (mc, sc) = MeanStd(content.Plane(0), contentWeights);
        var gain = sc / ss;
        var result = new ImageTensor(style.Height, style.Width);
        var source = style.Plane(0);
        var plane = result.Plane(0);
        for (var i = 0; i < source.Length; i++) plane[i] = (float)(gain * (source[i] - ms) + mc);
        for (var c = 1; c < ImageTensor.Channels; c++) plane.CopyTo(result.Plane(c));
        return result;
    }

    /// <summary>The luminance of <paramref name="luminanceSource"/> with the chroma (I, Q) of <paramref name="chromaSource"/>; same sizes.</summary>
    public static ImageTensor CombineLuminance(ImageTensor luminanceSource, ImageTensor chromaSource)
    {
        if (!luminanceSource.SameSizeAs(chromaSource)) throw new ArgumentException("Images differ in size.", nameof(chromaSource));
        var y = LuminancePlane(luminanceSource);
        var result = new ImageTensor(chromaSource.Height, chromaSource.Width);
        ReadOnlySpan<float> r = chromaSource.Plane(0), g = chromaSource.Plane(1), b = chromaSource.Plane(2);
        Span<float> ro = result.Plane(0), go = result.Plane(1), bo = result.Plane(2);
        for (var p = 0; p < y.Length; p++)
        {
            var i = ToYiq[1, 0] * r[p] + ToYiq[1, 1] * g[p] + ToYiq[1, 2] * b[p];
            var q = ToYiq[2, 0] * r[p] + ToYiq[2, 1] * g[p] + ToYiq[2, 2] * b[p];
            ro[p] = (float)(FromYiq[0, 0] * y[p] + FromYiq[0, 1] * i + FromYiq[0, 2] * q);
            go[p] = (float)(FromYiq[1, 0] * y[p] + FromYiq[1, 1] * i + FromYiq[1, 2] * q);
            bo[p] = (float)(FromYiq[2, 0] * y[p] + FromYiq[2, 1] * i + FromYiq[2, 2] * q);
        }
        return result;
    }

    /// <summary>
    /// Recolours <paramref name="style"/> so its RGB mean and covariance equal <paramref name="content"/>'s:
    /// <c>x' = A (x - mu_s) + mu_c</c> with <c>A = Sigma_c^(1/2) Sigma_s^(-1/2)</c> (symmetric square roots).
    /// Values are clamped to [0,1], as a real image's would be. Weights as for <see cref="MatchLuminance"/>.
    /// </summary>
    public static ImageTensor MatchHistogram(ImageTensor style, ImageTensor content, ReadOnlySpan<float> styleWeights = default, ReadOnlySpan<float> contentWeights = default)
    {
        var (muS, covS) = MeanCovariance(style, styleWeights);
        var (muC, covC) = MeanCovariance(content, contentWeights);
        var a = Matrix3.Multiply(Matrix3.SymmetricPower(covC, 0.5), Matrix3.SymmetricPower(covS, -0.5));
        var result = new ImageTensor(style.Height, style.Width);
        var n = style.PlaneSize;
        for (var p = 0; p < n; p++)
        {
            var d0 = style.Data[p] - muS[0];
            var d1 = style.Data[n + p] - muS[1];
            var d2 = style.Data[2 * n + p] - muS[2];
            for (var c = 0; c < ImageTensor.Channels; c++)
            {
                var v = a[c, 0] * d0 + a[c, 1] * d1 + a[c, 2] * d2 + muC[c];
                result.Data[c * n + p] = (float)Math.Clamp(v, 0, 1);
            }
        }
        return result;
    }

    internal static float[] LuminancePlane(ImageTensor image)
    {
        var y = new float[image.PlaneSize];
        ReadOnlySpan<float> r = image.Plane(0), g = image.Plane(1), b = image.Plane(2);
        for (var p = 0; p < y.Length; p++) y[p] = (float)(ToYiq[0, 0] * r[p] + ToYiq[0, 1] * g[p] + ToYiq[0, 2] * b[p]);
        return y;
    }

    /// <summary>Weight of pixel <paramref name="p"/>: 1 without weights (the same sums, bit for bit, as unweighted ones).</summary>
    private static double Weight(ReadOnlySpan<float> weights, int p) => weights.IsEmpty ? 1.0 : weights[p];

    /// <summary>The weights' total; a mask that selects nothing is refused before this is reached.</summary>
    private static double TotalWeight(ReadOnlySpan<float> weights, int count)
    {
        if (weights.IsEmpty) return count;
        if (weights.Length != count) throw new ArgumentException($"{weights.Length} weights for {count} pixels.", nameof(weights));
        double total = 0;
        foreach (var w in weights) total += w;
        if (!(total > 0)) throw new ArgumentException("The weights select no pixel.", nameof(weights));
        return total;
    }

    private static (double Mean, double Std) MeanStd(ReadOnlySpan<float> values, ReadOnlySpan<float> weights)
    {
        var total = TotalWeight(weights, values.Length);
        double sum = 0, squares = 0;
        for (var p = 0; p < values.Length; p++)
        {
            var w = Weight(weights, p);
            sum += w * values[p];
            squares += w * values[p] * values[p];
        }
        var mean = sum / total;
        var variance = Math.Max(squares / total - mean * mean, VarianceFloor);
        return (mean, Math.Sqrt(variance));
    }

    internal static (double[] Mean, double[,] Covariance) MeanCovariance(ImageTensor image, ReadOnlySpan<float> weights = default)
    {
        var n = image.PlaneSize;
        var total = TotalWeight(weights, n);
        var mean = new double[3];
        for (var c = 0; c < 3; c++)
        {
            double sum = 0;
            var plane = image.Plane(c);
            for (var p = 0; p < n; p++) sum += Weight(weights, p) * plane[p];
            mean[c] = sum / total;
        }
        var cov = new double[3, 3];
        for (var p = 0; p < n; p++)
        {
            var w = Weight(weights, p);
            var d0 = image.Data[p] - mean[0];
            var d1 = image.Data[n + p] - mean[1];
            var d2 = image.Data[2 * n + p] - mean[2];
            cov[0, 0] += w * d0 * d0; cov[0, 1] += w * d0 * d1; cov[0, 2] += w * d0 * d2;
            cov[1, 1] += w * d1 * d1; cov[1, 2] += w * d1 * d2; cov[2, 2] += w * d2 * d2;
        }
        for (var i = 0; i < 3; i++)
        {
            for (var j = i; j < 3; j++)
            {
                cov[i, j] /= total;
                cov[j, i] = cov[i, j];
            }
            cov[i, i] += VarianceFloor; // a gray image has a singular covariance
        }
        return (mean, cov);
    }
}
