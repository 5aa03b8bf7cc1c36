namespace NeuralArt.Engine.Dream;

/// <summary>A rectangle of the image that gets its own gradient run.</summary>
public readonly record struct Tile(int Y, int X, int Height, int Width);

/// <summary>
/// Splits an image into tiles of at most <c>tileSize</c> per side, of nearly equal sizes (so no
/// sliver tile is too small for the network: each is more than half the tile size, unless the
/// image itself is smaller). Seams are hidden by rolling the image by a random offset before
/// tiling, so they fall somewhere else at every step.
/// </summary>
public static class Tiling
{
    public static IReadOnlyList<Tile> Layout(int height, int width, int tileSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileSize);
        var rows = Split(height, tileSize);
        var columns = Split(width, tileSize);
        var tiles = new List<Tile>(rows.Count * columns.Count);
        foreach (var (y, h) in rows)
        {
            foreach (var (x, w) in columns) tiles.Add(new Tile(y, x, h, w));
        }
        return tiles;
    }

    private static List<(int Start, int Length)> Split(int size, int tileSize)
    {
        var count = (size + tileSize - 1) / tileSize;
        var spans = new List<(int, int)>(count);
        for (var k = 0; k < count; k++)
        {
            var start = (int)((long)k * size / count);
            var end = (int)((long)(k + 1) * size / count);
            spans.Add((start, end - start));
        }
        return spans;
    }
}
