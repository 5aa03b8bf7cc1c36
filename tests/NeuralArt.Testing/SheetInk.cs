using System.Text.Json;
using SkiaSharp;

namespace NeuralArt.Testing;

/// <summary>
/// Reads a drawn contact sheet with its <c>sheet.json</c>: which cells' label strips have no dark
/// pixels (their text did not render). Decoded with SkiaSharp, the library that drew it, which is
/// fine here: what is checked is the presence of ink where the layout says the labels are.
/// </summary>
public static class SheetInk
{
    private const int DarkLevel = 100;

    /// <summary>A label of a few characters at 13 px leaves far more dark pixels than this.</summary>
    private const int MinDarkPixels = 20;

    public static (int Width, int Height, IReadOnlyList<int> CellsWithoutInk, int Cells) Read(byte[] png, JsonElement layout)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException("The sheet is not a decodable image.");
        var blank = new List<int>();
        var cells = layout.GetProperty("cells").EnumerateArray().ToList();
        foreach (var cell in cells)
        {
            var label = cell.GetProperty("label");
            int x0 = label.GetProperty("x").GetInt32(), y0 = label.GetProperty("y").GetInt32();
            int w = label.GetProperty("width").GetInt32(), h = label.GetProperty("height").GetInt32();
            var dark = 0;
            for (var y = y0; y < y0 + h; y++)
            {
                for (var x = x0; x < x0 + w; x++)
                {
                    var c = bitmap.GetPixel(x, y);
                    if (c.Red < DarkLevel && c.Green < DarkLevel && c.Blue < DarkLevel) dark++;
                }
            }

            if (dark < MinDarkPixels) blank.Add(cell.GetProperty("index").GetInt32());
        }

        return (bitmap.Width, bitmap.Height, blank, cells.Count);
    }
}
