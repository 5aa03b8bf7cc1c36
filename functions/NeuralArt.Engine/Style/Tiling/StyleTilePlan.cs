namespace NeuralArt.Engine.Style.Tiling;

/// <summary>
/// One tile: the image region it is run on (<see cref="Y"/>, <see cref="X"/>, <see cref="Height"/>,
/// <see cref="Width"/>: the centre plus its halo, clipped to the image) and, per tap, the box of
/// feature positions it owns, in the tile's own feature coordinates (top, left, bottom, right).
/// </summary>
public sealed record StyleTile(int Y, int X, int Height, int Width, IReadOnlyDictionary<string, long[]> Crops)
{
    /// <summary>Where the owned box starts in the whole image's feature map of <paramref name="tap"/>.</summary>
    public (int Top, int Left) GlobalOrigin(string tap, FeatureGeometry geometry)
    {
        var (h, w) = geometry.Taps[tap];
        return ((int)Crops[tap][0] + Y / h.Jump, (int)Crops[tap][1] + X / w.Jump);
    }
}

/// <summary>
/// Splits an image into tiles whose owned feature positions partition every tap's feature map, so
/// that summing the tiles' partial Grams gives the whole image's Gram exactly, and the sum of the
/// tiles' gradients (halos included) the whole image's gradient. Centres are at most
/// <c>tileSize</c> on a side and start at multiples of the largest jump; halos are the receptive
/// field's reach before and after, the one before rounded up to that multiple too.
/// </summary>
public sealed class StyleTilePlan
{
    private StyleTilePlan(int height, int width, IReadOnlyList<StyleTile> tiles, IReadOnlyDictionary<string, (int Height, int Width)> featureSizes, int haloBefore, int haloAfter)
    {
        Height = height;
        Width = width;
        Tiles = tiles;
        FeatureSizes = featureSizes;
        HaloBefore = haloBefore;
        HaloAfter = haloAfter;
    }

    public int Height { get; }

    public int Width { get; }

    public IReadOnlyList<StyleTile> Tiles { get; }

    /// <summary>The whole image's feature map size per tap.</summary>
    public IReadOnlyDictionary<string, (int Height, int Width)> FeatureSizes { get; }

    public int HaloBefore { get; }

    public int HaloAfter { get; }

    public static StyleTilePlan Create(int height, int width, int tileSize, FeatureGeometry geometry, IReadOnlyCollection<string> taps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileSize);
        var reaches = taps.Select(t => geometry.Taps[t]).ToList();
        var align = reaches.Max(r => Math.Max(r.H.Jump, r.W.Jump));
        if (reaches.Any(r => align % r.H.Jump != 0 || align % r.W.Jump != 0))
        {
            throw new NotSupportedException("Exact tiling needs every tap's stride to divide the largest one.");
        }
        var before = RoundUp(reaches.Max(r => Math.Max(-r.H.Low, -r.W.Low)), align);
        var after = reaches.Max(r => Math.Max(r.H.High, r.W.High));
        var rows = Split(height, tileSize, align);
        var columns = Split(width, tileSize, align);
        var sizes = taps.ToDictionary(t => t, t => geometry.FeatureSize(t, height, width), StringComparer.Ordinal);

        var tiles = new List<StyleTile>(rows.Count * columns.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                var (y0, y1) = rows[r];
                var (x0, x1) = columns[c];
                var top = Math.Max(0, y0 - before);
                var left = Math.Max(0, x0 - before);
                var bottom = Math.Min(height, y1 + after);
                var right = Math.Min(width, x1 + after);
                var crops = new Dictionary<string, long[]>(StringComparer.Ordinal);
                foreach (var tap in taps)
                {
                    var (h, w) = geometry.Taps[tap];
                    var (fh, fw) = sizes[tap];
                    var local = geometry.FeatureSize(tap, bottom - top, right - left);
                    var ownTop = y0 / h.Jump;
                    var ownBottom = r == rows.Count - 1 ? fh : y1 / h.Jump;
                    var ownLeft = x0 / w.Jump;
                    var ownRight = c == columns.Count - 1 ? fw : x1 / w.Jump;
                    long[] box = [ownTop - top / h.Jump, ownLeft - left / w.Jump, ownBottom - top / h.Jump, ownRight - left / w.Jump];
                    if (box[0] < 0 || box[1] < 0 || box[2] > local.Height || box[3] > local.Width || box[2] < box[0] || box[3] < box[1])
                    {
                        throw new InvalidOperationException($"Tile ({top},{left})-({bottom},{right}) cannot hold its {tap} box [{string.Join(",", box)}] (local map {local.Height}x{local.Width}).");
                    }
                    crops[tap] = box;
                }
                tiles.Add(new StyleTile(top, left, bottom - top, right - left, crops));
            }
        }
        return new StyleTilePlan(height, width, tiles, sizes, before, after);
    }

    /// <summary>Centre spans of nearly equal length, at most <paramref name="tileSize"/>, boundaries at multiples of <paramref name="align"/>.</summary>
    private static List<(int Start, int End)> Split(int size, int tileSize, int align)
    {
        var count = (size + tileSize - 1) / tileSize;
        var bounds = new List<int> { 0 };
        for (var k = 1; k < count; k++)
        {
            var b = (int)((long)k * size / count / align * align);
            if (b > bounds[^1]) bounds.Add(b);
        }
        bounds.Add(size);
        var spans = new List<(int, int)>();
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            if (bounds[i + 1] > bounds[i]) spans.Add((bounds[i], bounds[i + 1]));
        }
        return spans;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
