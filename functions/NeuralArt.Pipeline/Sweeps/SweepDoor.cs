using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Admission;
using NeuralArt.Pipeline.Jobs;

namespace NeuralArt.Pipeline.Sweeps;

/// <summary>
/// The door of a sweep: the job's own checks once (<see cref="JobDoor.OpenAsync"/>: kind, inputs,
/// headers), then the axes (each a parameter of the descriptor, given once, with distinct values
/// that pass the descriptor's check), the number of cells against <see cref="JobLimitsOptions.MaxSweepCells"/>
/// (413), every cell planned by the engine and held to the caps of one job, and the cells' cost
/// together against <see cref="JobLimitsOptions.MaxSweepMultiplyAdds"/> (413). Any refused cell
/// refuses the sweep, naming the axis (<c>axes.&lt;name&gt;</c>) and the value.
/// </summary>
public sealed class SweepDoor(JobDoor door, IOptions<JobLimitsOptions> limits, IOptions<PipelineOptions> options)
{
    /// <summary>The field of a refusal about the axes as a whole.</summary>
    public const string AxesField = "axes";

    private readonly JobLimitsOptions caps = limits.Value;

    /// <summary>The field naming one axis: <c>axes.&lt;name&gt;</c>.</summary>
    public static string AxisField(string name) => $"{AxesField}.{ParameterSchema.Printable(name)}";

    /// <summary>Checks the sweep; throws <see cref="JobRejectedException"/> naming the field. <paramref name="sweepId"/> names the cells.</summary>
    public async Task<SweepRequest> CheckAsync(JobOrder order, JsonNode? axesNode, string sweepId, CancellationToken cancellationToken)
    {
        var opened = await door.OpenAsync(order, cancellationToken).ConfigureAwait(false);
        var shared = ParseParameters(order.ParametersJson);
        var axes = ReadAxes(axesNode, opened.Descriptor, shared);
        var cellCount = CountCells(axes);

        // A parameter the plan draws when it is left out (a seed) must be drawn once for the whole
        // sweep, or the cells would differ by more than their axes. A value that two plans of the
        // same parameters disagree on was drawn, not derived: those are fixed from the first plan.
        var first = PlanCell(opened, shared, axes, new int[axes.Count]);
        var again = PlanCell(opened, shared, axes, new int[axes.Count]);
        var firstParameters = ParseParameters(first.Plan.ParametersJson);
        var againParameters = ParseParameters(again.Plan.ParametersJson);
        foreach (var (name, value) in firstParameters)
        {
            if (shared.ContainsKey(name) || axes.Any(a => a.Name == name)) continue;
            if (!JsonNode.DeepEquals(value, againParameters[name])) shared[name] = value?.DeepClone();
        }

        var cells = new List<SweepCell>(cellCount);
        var multiplyAdds = 0.0;
        long iterations = 0, pixelIterations = 0;
        for (var index = 0; index < cellCount; index++)
        {
            var position = PositionOf(index, axes);
            var (request, plan) = PlanCell(opened, shared, axes, position);
            multiplyAdds += plan.Cost.MultiplyAdds;
            iterations += plan.Cost.Iterations;
            pixelIterations += plan.Cost.PixelIterations;
            var jobId = JobIds.ForSweepCell(sweepId, index);
            cells.Add(new SweepCell(index, position, jobId, request with { Sweep = sweepId, AwaitAdmission = true }));
        }

        if (multiplyAdds > caps.MaxSweepMultiplyAdds)
        {
            throw JobDoor.TooCostly("multiplyAdds", multiplyAdds, caps.MaxSweepMultiplyAdds,
                $"The sweep's {cellCount} cells would cost {multiplyAdds:E2} multiply-adds together; this host takes sweeps of at most {caps.MaxSweepMultiplyAdds:E2}. Use fewer values or a cheaper job.");
        }

        return new SweepRequest
        {
            Kind = opened.Descriptor.Kind,
            Axes = axes,
            Cells = cells,
            Cost = new JobCost
            {
                Iterations = iterations,
                PixelIterations = pixelIterations,
                MultiplyAdds = multiplyAdds,
                PeakMemoryBytes = cells.Max(c => c.Request.Cost?.PeakMemoryBytes ?? 0),
                CheckpointBytes = cells.Max(c => c.Request.Cost?.CheckpointBytes ?? 0),
                WorkingPixels = cells.Max(c => c.Request.Cost?.WorkingPixels ?? 0),
            },
            SubmittedAt = cells[0].Request.SubmittedAt,
            ThumbnailSide = options.Value.SweepThumbnailSide,
        };
    }

    /// <summary>The axes in the order given: known parameters, not also shared, non-empty arrays of distinct values the descriptor accepts.</summary>
    private static List<SweepAxis> ReadAxes(JsonNode? node, EngineDescriptor descriptor, JsonObject shared)
    {
        if (node is not JsonObject members || members.Count == 0)
        {
            throw JobRejectedException.BadRequest(AxesField,
                "axes must be a JSON object with at least one parameter and its values, for example {\"seed\": [1, 2, 3]}.");
        }

        var axes = new List<SweepAxis>(members.Count);
        foreach (var (name, valuesNode) in members)
        {
            var field = AxisField(name);
            var parameter = descriptor.Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
                ?? throw JobRejectedException.BadRequest(field,
                    $"A {descriptor.Kind} job has no parameter '{ParameterSchema.Printable(name)}' to sweep. Known parameters: {string.Join(", ", descriptor.Parameters.Select(p => p.Name))}.");
            if (shared.ContainsKey(name))
            {
                throw JobRejectedException.BadRequest(field, $"'{name}' is both an axis and a parameter; give it in one place.");
            }

            if (valuesNode is not JsonArray values)
            {
                throw JobRejectedException.BadRequest(field, $"The axis '{name}' must be a JSON array of values.");
            }

            if (values.Count == 0)
            {
                throw JobRejectedException.BadRequest(field, $"The axis '{name}' has no values; give at least one.");
            }

            var texts = new List<string>(values.Count);
            foreach (var value in values)
            {
                var text = value?.ToJsonString() ?? "null";
                if (value is null)
                {
                    throw JobRejectedException.BadRequest(field, $"The axis '{name}' has a null value.");
                }

                try
                {
                    ParameterSchema.Check(new JsonObject { [name] = value.DeepClone() }, [parameter]);
                }
                catch (InvalidArtworkInputException e)
                {
                    throw JobRejectedException.BadRequest(field, $"The axis '{name}' has the value {Shorten(text)}, which is refused: {e.Message}");
                }

                if (texts.Contains(text, StringComparer.Ordinal))
                {
                    throw JobRejectedException.BadRequest(field, $"The axis '{name}' has the value {Shorten(text)} twice.");
                }

                texts.Add(text);
            }

            axes.Add(new SweepAxis(name, texts));
        }

        return axes;
    }

    /// <summary>The product of the axes' lengths, refused with 413 as soon as it passes the cap (it never overflows).</summary>
    private int CountCells(IReadOnlyList<SweepAxis> axes)
    {
        long cells = 1;
        foreach (var axis in axes)
        {
            cells *= axis.Values.Count;
            if (cells > caps.MaxSweepCells)
            {
                var total = axes.Aggregate(1.0, (product, a) => product * a.Values.Count);
                throw new JobRejectedException(StatusCodes.Status413PayloadTooLarge, AxesField,
                    $"The axes make {total:G} cells ({string.Join(" x ", axes.Select(a => $"{a.Values.Count} {a.Name}"))}); this host takes sweeps of at most {caps.MaxSweepCells} cells.")
                {
                    Cost = new Dictionary<string, double> { ["cells"] = total },
                    Cap = new Dictionary<string, double> { ["cells"] = caps.MaxSweepCells },
                };
            }
        }

        return (int)cells;
    }

    /// <summary>The cell at <paramref name="position"/> planned by the engine; a refusal names the axis and the value when it is about one.</summary>
    private (JobRequest Request, JobPlan Plan) PlanCell(OpenedOrder opened, JsonObject shared, IReadOnlyList<SweepAxis> axes, IReadOnlyList<int> position)
    {
        var parameters = (JsonObject)shared.DeepClone();
        for (var i = 0; i < axes.Count; i++)
        {
            parameters[axes[i].Name] = JsonNode.Parse(axes[i].Values[position[i]]);
        }

        try
        {
            return door.CheckPlan(opened, parameters.ToJsonString());
        }
        catch (JobRejectedException e)
        {
            var cell = string.Join(", ", axes.Select((a, i) => $"{a.Name}={Shorten(SweepAxis.Label(a.Values[position[i]]))}"));
            var axis = axes.FirstOrDefault(a => a.Name == e.Field);
            throw new JobRejectedException(e.Status, axis is null ? e.Field : AxisField(axis.Name), $"The cell {cell} is refused: {e.Message}")
            {
                Cost = e.Cost,
                Cap = e.Cap,
            };
        }
    }

    /// <summary>The index of the cell's value on each axis; the first axis varies fastest.</summary>
    private static int[] PositionOf(int index, IReadOnlyList<SweepAxis> axes)
    {
        var position = new int[axes.Count];
        for (var i = 0; i < axes.Count; i++)
        {
            position[i] = index % axes[i].Values.Count;
            index /= axes[i].Values.Count;
        }

        return position;
    }

    private static JsonObject ParseParameters(string json) =>
        JsonNode.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json) as JsonObject
        ?? throw JobRejectedException.BadRequest("parameters", "parameters must be a JSON object.");

    /// <summary>A value quoted in a refusal is cut short (<see cref="ParameterSchema.Printable"/>): nothing a caller sends grows an answer.</summary>
    private static string Shorten(string text) => ParameterSchema.Printable(text);
}
