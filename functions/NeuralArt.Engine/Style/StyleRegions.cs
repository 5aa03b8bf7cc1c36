namespace NeuralArt.Engine.Style;

/// <summary>
/// Styles by region (guided Grams, Gatys et al. 2017): per style tap, the K style images' own Grams
/// (<see cref="Targets"/>, [K,C,C], not blended) and the K masks resized to the tap's feature map
/// (<see cref="Masks"/>, [K,1,h,w] of the whole canvas), and per region a weight that multiplies the
/// tap's style weight (<see cref="RegionWeights"/>: the blend weight times K, so equal blends give 1).
/// </summary>
internal sealed record StyleRegions(
    int Count,
    IReadOnlyDictionary<string, float[]> Targets,
    IReadOnlyDictionary<string, float[]> Masks,
    IReadOnlyDictionary<string, (int Height, int Width)> MaskSizes,
    IReadOnlyList<double> RegionWeights)
{
    /// <summary>
    /// Guards the normalization <c>1 / (C Z_k)</c> of a region whose mask is (nearly) empty at a coarse
    /// tap: its Gram is then 0 and so is its gradient, as in the compiled graph.
    /// </summary>
    public const double MinMaskWeight = Graphs.Objectives.StyleObjective.MinMaskWeight;

    public static StyleRegions Create(
        IReadOnlyList<IReadOnlyDictionary<string, float[]>> grams,
        IReadOnlyList<float[]> canvasMasks, int height, int width,
        IReadOnlyDictionary<string, (int Height, int Width)> tapSizes,
        IReadOnlyList<double> blend)
    {
        var count = grams.Count;
        if (canvasMasks.Count != count) throw new ArgumentException("One mask per style is needed.", nameof(canvasMasks));
        var targets = tapSizes.Keys.ToDictionary(tap => tap, tap => grams.SelectMany(g => g[tap]).ToArray(), StringComparer.Ordinal);
        return new StyleRegions(count, targets, ResizeMasks(canvasMasks, height, width, tapSizes), tapSizes, blend.Select(b => b * count).ToList());
    }

    /// <summary>
    /// Per tap, the <paramref name="planes"/> (each <paramref name="height"/> x <paramref name="width"/>)
    /// box-resized to the tap's feature map and stacked, [K,1,h,w] row-major: how every mask, of the
    /// canvas or of a style image, reaches the taps.
    /// </summary>
    public static Dictionary<string, float[]> ResizeMasks(IReadOnlyList<float[]> planes, int height, int width, IReadOnlyDictionary<string, (int Height, int Width)> tapSizes) =>
        tapSizes.ToDictionary(kv => kv.Key, kv => planes.SelectMany(m => AreaResize(m, height, width, kv.Value.Height, kv.Value.Width)).ToArray(), StringComparer.Ordinal);

    /// <summary><c>Z_k = sum m_k</c> of each region at <paramref name="tap"/>, at least <see cref="MinMaskWeight"/>.</summary>
    public double[] MaskWeights(string tap) => MaskWeights(Masks[tap], Count);

    /// <summary><c>Z_k = sum m_k</c> of each of the <paramref name="count"/> stacked planes of <paramref name="masks"/>, at least <see cref="MinMaskWeight"/>.</summary>
    public static double[] MaskWeights(float[] masks, int count)
    {
        var n = masks.Length / count;
        var weights = new double[count];
        for (var k = 0; k < count; k++)
        {
            double sum = 0;
            for (var p = 0; p < n; p++) sum += masks[k * n + p];
            weights[k] = Math.Max(sum, MinMaskWeight);
        }
        return weights;
    }

    /// <summary>
    /// Box-filter resampling of one plane: each output cell is the average of the input area it
    /// covers (fractional pixels weighted by their overlap), so a mask's coverage (its mean) is kept
    /// at every tap, however coarse.
    /// </summary>
    public static float[] AreaResize(float[] plane, int height, int width, int outHeight, int outWidth)
    {
        var rows = Weights(height, outHeight);
        var columns = Weights(width, outWidth);
        var temp = new double[height * outWidth];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < outWidth; x++)
            {
                double sum = 0;
                foreach (var (index, weight) in columns[x]) sum += weight * plane[y * width + index];
                temp[y * outWidth + x] = sum;
            }
        }
        var result = new float[outHeight * outWidth];
        for (var y = 0; y < outHeight; y++)
        {
            for (var x = 0; x < outWidth; x++)
            {
                double sum = 0;
                foreach (var (index, weight) in rows[y]) sum += weight * temp[index * outWidth + x];
                result[y * outWidth + x] = (float)sum;
            }
        }
        return result;
    }

    /// <summary>For each output cell along one axis, the input pixels it covers and their weights (summing to 1).</summary>
    private static List<(int Index, double Weight)>[] Weights(int size, int outSize)
    {
        var scale = (double)size / outSize;
        var result = new List<(int, double)>[outSize];
        for (var o = 0; o < outSize; o++)
        {
            var start = o * scale;
            var end = (o + 1) * scale;
            var list = new List<(int, double)>();
            for (var i = (int)Math.Floor(start); i < Math.Min(size, (int)Math.Ceiling(end)); i++)
            {
                var overlap = Math.Min(end, i + 1) - Math.Max(start, i);
                if (overlap > 0) list.Add((i, overlap / scale));
            }
            result[o] = list;
        }
        return result;
    }
}
