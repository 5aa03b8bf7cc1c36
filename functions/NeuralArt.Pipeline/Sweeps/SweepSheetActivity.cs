using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>
/// Draws <c>outputs/{sweepId}/sheet.png</c> from the cells' previews (every engine writes one, a
/// still or a sequence's last frame) and writes <c>sheet.json</c> with the layout. Safe to run
/// twice: it draws the same sheet again.
/// </summary>
public sealed class SweepSheetActivity(IArtworkStore store, ContactSheet sheets, ILogger<SweepSheetActivity> logger)
    : TaskActivity<SweepSheetInput, SweepOutcome>
{
    public const string Name = "DrawSweepSheet";

    /// <summary>A preview is a small JPEG; anything larger is not one of ours.</summary>
    private const long MaxPreviewBytes = 16L * 1024 * 1024;

    public override Task<SweepOutcome> RunAsync(TaskActivityContext context, SweepSheetInput input) => ExecuteAsync(input, CancellationToken.None);

    public async Task<SweepOutcome> ExecuteAsync(SweepSheetInput input, CancellationToken cancellationToken)
    {
        var request = input.Request;
        var cells = new List<ContactSheet.Cell>(request.Cells.Count);
        foreach (var cell in request.Cells)
        {
            var outcome = input.Cells[cell.Index];
            byte[]? picture = null;
            if (outcome.Status == SweepOrchestration.CellCompleted && outcome.Preview is { } preview)
            {
                picture = (await store.ReadAsync(preview, MaxPreviewBytes, cancellationToken).ConfigureAwait(false))?.Content;
            }

            cells.Add(new ContactSheet.Cell(cell.Labels(request.Axes), picture, outcome.Status == SweepOrchestration.CellCompleted ? "no preview" : "failed"));
        }

        var columns = request.Axes[0].Values.Count;
        // What the grid shows, in a line that fits a narrow sheet; the sweep's ID is in sheet.json.
        var title = request.Axes.Count == 1
            ? $"{request.Kind}: {request.Axes[0].Name} across"
            : $"{request.Kind}: {request.Axes[0].Name} across, {string.Join(" x ", request.Axes.Skip(1).Select(a => a.Name))} down";
        var drawn = sheets.Draw(title, columns, request.ThumbnailSide, cells);
        var sheetBlob = StorageLayout.SweepSheet(input.SweepId);
        await store.WriteAsync(sheetBlob, drawn.Png, ContentTypes.Png, cancellationToken).ConfigureAwait(false);

        var layout = new SheetLayout
        {
            Sweep = input.SweepId,
            Kind = request.Kind,
            Sheet = sheetBlob,
            Width = drawn.Width,
            Height = drawn.Height,
            Columns = columns,
            Rows = (cells.Count + columns - 1) / columns,
            Axes = request.Axes,
            Cells = [.. request.Cells.Select(c => new SheetCell(
                c.Index,
                c.JobId,
                c.Values(request.Axes),
                input.Cells[c.Index].Status,
                input.Cells[c.Index].Result,
                drawn.Cells[c.Index].Picture,
                drawn.Cells[c.Index].Label))],
        };
        var layoutBlob = StorageLayout.SweepSheetLayout(input.SweepId);
        await store.WriteAsync(layoutBlob, JsonSerializer.SerializeToUtf8Bytes(layout, LayoutJson), ContentTypes.Json, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Sweep {SweepId}: sheet of {Cells} cells ({Width}x{Height}).", input.SweepId, cells.Count, drawn.Width, drawn.Height);
        return new SweepOutcome { Cells = input.Cells, Sheet = sheetBlob, Layout = layoutBlob };
    }

    private static readonly JsonSerializerOptions LayoutJson = new() { WriteIndented = true };
}
