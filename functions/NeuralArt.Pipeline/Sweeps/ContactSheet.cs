using SkiaSharp;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>
/// Draws a contact sheet with SkiaSharp: a title line, then the cells in a grid (columns and rows
/// given), each a thumbnail fitted within <c>thumbnailSide</c> (the cells' boxes as large as the
/// largest thumbnail, so pictures of one aspect leave no gaps) over a strip with its labels, one per line; a cell without a picture (it failed) is a tinted box saying so. It works on
/// encoded pictures (JPEG, PNG) and knows nothing of engines. The labels use the DejaVu Sans Mono
/// font embedded in this assembly, so text renders on a machine without any system font
/// (SkiaSharp's Linux assets without dependencies bring no font manager of their own).
/// </summary>
public sealed class ContactSheet
{
    private const string FontResource = "sweeps/DejaVuSansMono.ttf";
    private const float LabelTextSize = 13;
    private const float TitleTextSize = 15;
    private const int Margin = 12;
    private const int Gap = 10;
    private const int LabelPadding = 4;

    private static readonly SKColor Background = SKColors.White;
    private static readonly SKColor Ink = new(0x20, 0x20, 0x20);
    private static readonly SKColor FailedFill = new(0xf6, 0xd5, 0xd5);
    private static readonly SKColor FailedInk = new(0x9b, 0x1c, 0x1c);

    private static readonly Lazy<SKTypeface> Typeface = new(LoadTypeface);

    /// <summary>One cell to draw: its labels (one line each), its picture (null when it has none) and the note shown instead.</summary>
    public sealed record Cell(IReadOnlyList<string> Labels, byte[]? Picture, string? Note);

    /// <summary>The encoded PNG and where each cell's picture and label strip went.</summary>
    public sealed record Drawn(byte[] Png, int Width, int Height, IReadOnlyList<(SheetRect Picture, SheetRect Label)> Cells);

    public Drawn Draw(string title, int columns, int thumbnailSide, IReadOnlyList<Cell> cells)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(thumbnailSide, 16);
        using var labelFont = new SKFont(Typeface.Value, LabelTextSize);
        using var titleFont = new SKFont(Typeface.Value, TitleTextSize);
        var pictures = cells.Select(c => c.Picture is { } bytes ? SKImage.FromEncodedData(bytes) : null).ToList();
        try
        {
            return Draw(title, columns, thumbnailSide, cells, pictures, labelFont, titleFont);
        }
        finally
        {
            foreach (var picture in pictures) picture?.Dispose();
        }
    }

    private static Drawn Draw(string title, int columns, int thumbnailSide, IReadOnlyList<Cell> cells, IReadOnlyList<SKImage?> pictures, SKFont labelFont, SKFont titleFont)
    {
        var rows = (cells.Count + columns - 1) / columns;
        var fitted = pictures.Select(p => p is null ? (0f, 0f) : Fit(p, thumbnailSide)).ToList();
        var boxWidth = fitted.Any(f => f.Item1 > 0) ? (int)Math.Ceiling(fitted.Max(f => f.Item1)) : thumbnailSide;
        var boxHeight = fitted.Any(f => f.Item2 > 0) ? (int)Math.Ceiling(fitted.Max(f => f.Item2)) : thumbnailSide;
        var lineHeight = (int)Math.Ceiling(labelFont.Spacing);
        var lines = cells.Count == 0 ? 1 : cells.Max(c => Math.Max(1, c.Labels.Count));
        var labelHeight = lines * lineHeight + 2 * LabelPadding;
        var titleHeight = (int)Math.Ceiling(titleFont.Spacing) + Gap;
        var cellWidth = boxWidth;
        var cellHeight = boxHeight + labelHeight;
        var width = 2 * Margin + columns * cellWidth + (columns - 1) * Gap;
        var height = 2 * Margin + titleHeight + rows * cellHeight + Math.Max(0, rows - 1) * Gap;

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not make a {width}x{height} surface.");
        var canvas = surface.Canvas;
        canvas.Clear(Background);
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        using var failedInk = new SKPaint { Color = FailedInk, IsAntialias = true };
        using var failedFill = new SKPaint { Color = FailedFill };
        canvas.DrawText(Fit(title, titleFont, width - 2 * Margin), Margin, Margin + TitleTextSize, SKTextAlign.Left, titleFont, ink);

        var placed = new List<(SheetRect, SheetRect)>(cells.Count);
        for (var i = 0; i < cells.Count; i++)
        {
            var x = Margin + i % columns * (cellWidth + Gap);
            var y = Margin + titleHeight + i / columns * (cellHeight + Gap);
            var box = new SheetRect(x, y, cellWidth, boxHeight);
            var strip = new SheetRect(x, y + boxHeight, cellWidth, labelHeight);
            var cell = cells[i];
            var picture = pictures[i];
            if (picture is null)
            {
                canvas.DrawRect(SKRect.Create(box.X, box.Y, box.Width, box.Height), failedFill);
                canvas.DrawText(Fit(cell.Note ?? "no picture", labelFont, cellWidth - 2 * LabelPadding), x + cellWidth / 2f, y + boxHeight / 2f, SKTextAlign.Center, labelFont, failedInk);
            }
            else
            {
                var (w, h) = fitted[i];
                var dest = SKRect.Create(x + (cellWidth - w) / 2, y + (boxHeight - h) / 2, w, h);
                canvas.DrawImage(picture, dest, new SKSamplingOptions(SKCubicResampler.Mitchell));
            }

            for (var line = 0; line < cell.Labels.Count; line++)
            {
                var baseline = strip.Y + LabelPadding + line * lineHeight - labelFont.Metrics.Ascent;
                canvas.DrawText(Fit(cell.Labels[line], labelFont, cellWidth - 2 * LabelPadding), x + LabelPadding, baseline, SKTextAlign.Left, labelFont, ink);
            }

            placed.Add((box, strip));
        }

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return new Drawn(png.ToArray(), width, height, placed);
    }

    /// <summary>The size of <paramref name="picture"/> fitted within a square of <paramref name="side"/>.</summary>
    private static (float Width, float Height) Fit(SKImage picture, int side)
    {
        var scale = Math.Min((float)side / picture.Width, (float)side / picture.Height);
        return (picture.Width * scale, picture.Height * scale);
    }

    /// <summary>A label cut with an ellipsis to fit <paramref name="room"/> pixels.</summary>
    private static string Fit(string text, SKFont font, float room)
    {
        if (font.MeasureText(text) <= room) return text;
        var cut = text.Length;
        while (cut > 0 && font.MeasureText(string.Concat(text.AsSpan(0, cut), "…")) > room) cut--;
        return string.Concat(text.AsSpan(0, cut), "…");
    }

    private static SKTypeface LoadTypeface()
    {
        using var stream = typeof(ContactSheet).Assembly.GetManifestResourceStream(FontResource)
            ?? throw new InvalidOperationException($"The embedded font '{FontResource}' is missing from the pipeline assembly.");
        return SKTypeface.FromStream(stream)
            ?? throw new InvalidOperationException($"SkiaSharp could not read the embedded font '{FontResource}'.");
    }
}
