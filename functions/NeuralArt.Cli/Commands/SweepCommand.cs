using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using NeuralArt.Cli.Infrastructure;
using NeuralArt.Pipeline.Client;
using NeuralArt.Pipeline.Storage;
using NeuralArt.Pipeline.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace NeuralArt.Cli.Commands;

/// <summary>
/// <c>neuralart sweep &lt;image&gt; [--kind KIND] [--input ROLE=NAME|FILE]... [--param k=v]... --axis NAME=V1,V2...</c>:
/// uploads like <c>submit</c>, starts a sweep with <c>POST /api/sweeps</c> (every cell checked at the
/// door), follows it with one progress bar per cell, and downloads the contact sheet
/// (<c>sheet.png</c>, <c>sheet.json</c>) and each cell's result into the output folder.
/// </summary>
public sealed class SweepCommand : AsyncCommand<SweepCommand.Settings>
{
    public sealed class Settings : HostJobSettings
    {
        [CommandOption("-a|--axis <NAME=V1,V2>")]
        [Description("A parameter to sweep and its values, comma-separated (repeatable: the cells are the product), for example --axis seed=1,2,3.")]
        public string[] Axes { get; init; } = [];

        public override ValidationResult Validate()
        {
            if (Axes.Length == 0) return ValidationResult.Error("Give at least one --axis name=v1,v2.");
            foreach (var axis in Axes)
            {
                if (axis.Split('=', 2) is not [{ Length: > 0 }, { Length: > 0 }])
                    return ValidationResult.Error($"--axis '{axis}' is not of the form name=v1,v2.");
            }

            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var blobs = new BlobServiceClient(StorageConnection.Resolve(settings.Storage));
        using var client = new NeuralArtClient(new Uri(settings.Url), SubmitCommand.ResolveKey(settings.Key));
        var primary = await SubmitCommand.PrimaryRoleAsync(client, settings.Kind, cancellationToken);
        var (upload, inputs) = await SubmitCommand.UploadInputsAsync(blobs, settings.Image, primary, settings.Inputs, cancellationToken);
        var submission = new SweepSubmission
        {
            Kind = settings.Kind,
            Inputs = inputs,
            Parameters = SubmitCommand.ParseParameters(settings.Parameters),
            Axes = ParseAxes(settings.Axes),
            ChunkTimeBudgetSeconds = settings.ChunkSeconds,
        };

        SweepAccepted accepted;
        try
        {
            accepted = await client.StartSweepAsync(submission, cancellationToken);
        }
        catch (NeuralArtRequestException e)
        {
            AnsiConsole.MarkupLine($"[red]Refused:[/] {Markup.Escape(e.Message)}");
            return ErrorReporter.ExitBadInput;
        }

        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Sweep {accepted.Id} started: {accepted.Cells.Count} cells of {settings.Kind} of {upload} ({accepted.Cost.MultiplyAdds:E2} multiply-adds).")));
        var sweep = await FollowAsync(client, accepted, cancellationToken);

        Directory.CreateDirectory(settings.Output);
        var stem = Path.GetFileNameWithoutExtension(settings.Image);
        foreach (var cell in sweep.Cells)
        {
            var line = $"cell {cell.Index} {Label(cell)}: {cell.Status}";
            if (cell.Result is { } result)
            {
                var path = Path.Combine(settings.Output, $"{stem}_{settings.Kind}_{FileLabel(cell)}{Path.GetExtension(BlobRef.Parse(result.Blob).Name)}");
                await File.WriteAllBytesAsync(path, await SubmitCommand.DownloadAsync(blobs, result, cancellationToken), cancellationToken);
                line += $" -> {path}";
            }
            else if (cell.Error is { } error)
            {
                line += $" ({error.Reason})";
            }

            AnsiConsole.WriteLine(line);
        }

        if (sweep.Sheet is { } sheet)
        {
            var path = Path.Combine(settings.Output, "sheet.png");
            await File.WriteAllBytesAsync(path, await SubmitCommand.DownloadAsync(blobs, sheet, cancellationToken), cancellationToken);
            if (sweep.Layout is { } layout)
            {
                await File.WriteAllBytesAsync(Path.Combine(settings.Output, "sheet.json"), await SubmitCommand.DownloadAsync(blobs, layout, cancellationToken), cancellationToken);
            }

            AnsiConsole.WriteLine($"Wrote {path} (sweep {sweep.Id}, {sweep.Status}).");
        }

        return sweep.Status == "completed" && sweep.Cells.All(c => c.Status == "completed") ? 0 : ErrorReporter.ExitBadInput;
    }

    /// <summary>One progress bar per cell, each following its own job's progress.</summary>
    private static async Task<SweepView> FollowAsync(NeuralArtClient client, SweepAccepted accepted, CancellationToken cancellationToken)
    {
        SweepView? sweep = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var bars = accepted.Cells.ToDictionary(c => c.Index, c => progress.AddTask(Markup.Escape($"{Label(c)}: queued"), maxValue: 100));
                sweep = await client.WaitForSweepAsync(accepted.Id, new SubmitCommand.SynchronousProgress<SweepView>(view =>
                {
                    foreach (var cell in view.Cells)
                    {
                        var bar = bars[cell.Index];
                        bar.Value = cell.Status == "completed" ? 100 : cell.Progress?.Percent ?? 0;
                        var state = cell.Status is "completed" or "failed" or "cancelled" || cell.Progress is null ? cell.Status : SubmitCommand.Describe(cell.Progress);
                        bar.Description = Markup.Escape($"{Label(cell)}: {state}");
                        if (cell.Status is "completed" or "failed" or "cancelled") bar.StopTask();
                    }
                }), cancellationToken);
            });
        return sweep!;
    }

    private static string Label(SweepCellView cell) => string.Join(" ", cell.Values.Select(v => $"{v.Key}={v.Value}"));

    /// <summary>The cell's values in a file name: letters, digits, '.', '-', '=' and '_' only.</summary>
    private static string FileLabel(SweepCellView cell)
    {
        var text = new StringBuilder($"c{cell.Index.ToString(CultureInfo.InvariantCulture)}");
        foreach (var (name, value) in cell.Values)
        {
            text.Append('_').Append(name).Append('=');
            foreach (var c in value) text.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+' ? c : '-');
        }

        return text.ToString();
    }

    /// <summary><c>name=v1,v2</c> pairs as the body's axes; a value that reads as JSON stays typed, and commas inside brackets do not split.</summary>
    internal static JsonObject ParseAxes(IEnumerable<string> axes)
    {
        var result = new JsonObject();
        foreach (var axis in axes)
        {
            var (name, list) = (axis[..axis.IndexOf('=')].Trim(), axis[(axis.IndexOf('=') + 1)..]);
            var values = result[name] as JsonArray ?? [];
            foreach (var value in SplitValues(list))
            {
                JsonNode? node;
                try
                {
                    node = JsonNode.Parse(value);
                }
                catch (JsonException)
                {
                    node = JsonValue.Create(value);
                }

                values.Add(node);
            }

            result[name] = values;
        }

        return result;
    }

    private static IEnumerable<string> SplitValues(string list)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            depth += list[i] switch { '[' or '{' => 1, ']' or '}' => -1, _ => 0 };
            if (list[i] == ',' && depth == 0)
            {
                if (i > start) yield return list[start..i].Trim();
                start = i + 1;
            }
        }

        if (start < list.Length) yield return list[start..].Trim();
    }
}
