using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Jobs;
using NeuralArt.Pipeline.Storage;

namespace NeuralArt.Pipeline.Admission;

/// <summary>
/// The first line of defence, the same for the HTTP starter and the inbox: everything that can be
/// known before work is checked here, in this order, and refused with the field at fault: the kind,
/// the inputs (roles and counts from the engine's descriptor, container allow-list, names, existence,
/// size, image header against the image limits), the parameters and caps (the engine's plan), the
/// job's predicted cost against the host's caps (413), and the chunk budget against the function
/// timeout. What passes becomes a <see cref="JobRequest"/> carrying the effective parameters.
/// </summary>
public sealed class JobDoor(
    IArtworkStore store,
    ArtworkEngines engines,
    IInputInspector inspector,
    JobRequestFactory requests,
    IOptions<JobLimitsOptions> limits)
{
    /// <summary>Bytes read from the start of an image for its header; enough for JPEG's EXIF blocks in practice.</summary>
    public const int HeaderBytes = 256 * 1024;

    /// <summary>Longest input reference accepted (Azure's blob name limit).</summary>
    public const int MaxReferenceLength = 1024;

    /// <summary>Longest kind or library name accepted.</summary>
    private const int MaxNameLength = 128;

    private const double MinChunkBudgetSeconds = 1;

    private readonly JobLimitsOptions caps = limits.Value;

    /// <summary>The descriptors of the installed engines, with the host's caps applied.</summary>
    public IReadOnlyList<EngineDescriptor> Describe() =>
        engines.All.Select(e => e.Describe(caps.ForEngines())).OrderBy(d => d.Kind, StringComparer.Ordinal).ToList();

    /// <summary>Checks <paramref name="order"/>; throws <see cref="JobRejectedException"/> naming the field.</summary>
    public async Task<(JobRequest Request, JobPlan Plan)> CheckAsync(JobOrder order, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(order, cancellationToken).ConfigureAwait(false);
        return CheckPlan(opened, order.ParametersJson);
    }

    /// <summary>
    /// The checks that do not depend on the parameters: the kind, the inputs and their headers.
    /// A sweep opens once and plans each of its cells against what this returns.
    /// </summary>
    public async Task<OpenedOrder> OpenAsync(JobOrder order, CancellationToken cancellationToken)
    {
        var kind = order.Kind?.Trim() ?? "";
        if (kind.Length == 0) throw JobRejectedException.BadRequest("kind", $"kind is required: one of {string.Join(", ", engines.Kinds.Order())}.");
        if (kind.Length > MaxNameLength || !engines.Supports(kind))
        {
            throw JobRejectedException.BadRequest("kind", $"kind '{ParameterSchema.Printable(kind)}' is unknown: use one of {string.Join(", ", engines.Kinds.Order())}.");
        }

        var engine = engines.Get(kind);
        var engineLimits = caps.ForEngines();
        var descriptor = engine.Describe(engineLimits);
        var inputs = await ResolveInputsAsync(descriptor, order.Inputs, cancellationToken).ConfigureAwait(false);
        var headers = new List<InputHeader>(inputs.Count);
        foreach (var input in inputs)
        {
            headers.Add(await ReadHeaderAsync(input, cancellationToken).ConfigureAwait(false));
        }

        return new OpenedOrder(order, engine, descriptor, engineLimits, inputs, headers);
    }

    /// <summary>The engine's plan of <paramref name="parametersJson"/> for an opened order, and its cost against the caps of one job.</summary>
    public (JobRequest Request, JobPlan Plan) CheckPlan(OpenedOrder opened, string parametersJson)
    {
        JobPlan plan;
        try
        {
            plan = opened.Engine.Plan(new PlanRequest(parametersJson, opened.Headers, opened.Limits));
        }
        catch (InvalidArtworkInputException e)
        {
            throw JobRejectedException.BadRequest(e.Field ?? "parameters", e.Message);
        }

        CheckCost(plan.Cost);
        var order = opened.Order;
        var budget = order.ChunkBudgetSeconds;
        if (budget is { } seconds && (!double.IsFinite(seconds) || seconds < MinChunkBudgetSeconds || seconds > caps.MaxChunkBudgetSeconds))
        {
            throw JobRejectedException.BadRequest("chunkBudgetSeconds",
                $"chunkBudgetSeconds must be from {MinChunkBudgetSeconds} to {caps.MaxChunkBudgetSeconds:G} (half of this host's {caps.FunctionTimeout.TotalMinutes:G}-minute function timeout).");
        }

        var request = requests.Create(opened.Descriptor.Kind, opened.Descriptor.Stage, opened.Inputs, plan, order.Origin, budget);
        return (request, plan);
    }

    private void CheckCost(JobCost cost)
    {
        if (cost.MultiplyAdds > caps.MaxMultiplyAdds)
        {
            throw TooCostly("multiplyAdds", cost.MultiplyAdds, caps.MaxMultiplyAdds,
                $"The job would cost {cost.MultiplyAdds:E2} multiply-adds; this host takes jobs of at most {caps.MaxMultiplyAdds:E2}. Use fewer iterations, stages or a smaller size.");
        }

        if (cost.PeakMemoryBytes > caps.MaxPeakMemoryBytes)
        {
            throw TooCostly("peakMemoryBytes", cost.PeakMemoryBytes, caps.MaxPeakMemoryBytes,
                $"The job would need about {cost.PeakMemoryBytes >> 20:N0} MiB; this host takes jobs of at most {caps.MaxPeakMemoryBytes >> 20:N0} MiB. Use a smaller size or tile size.");
        }
    }

    internal static JobRejectedException TooCostly(string what, double cost, double cap, string message) =>
        new(StatusCodes.Status413PayloadTooLarge, what, message)
        {
            Cost = new Dictionary<string, double> { [what] = cost },
            Cap = new Dictionary<string, double> { [what] = cap },
        };

    /// <summary>Roles and counts against the descriptor, then each reference to a blob that exists.</summary>
    private async Task<List<JobInput>> ResolveInputsAsync(
        EngineDescriptor descriptor, IReadOnlyDictionary<string, IReadOnlyList<string>> given, CancellationToken cancellationToken)
    {
        try
        {
            // The descriptor's one check (the plan and the engine's start run it too).
            DescriptorCheck.Roles(descriptor, given.SelectMany(pair => Enumerable.Repeat(pair.Key, pair.Value.Count)));
        }
        catch (InvalidArtworkInputException e)
        {
            throw JobRejectedException.BadRequest(e.Field ?? "inputs", e.Message);
        }

        var inputs = new List<JobInput>();
        foreach (var role in descriptor.Inputs)
        {
            var values = given.TryGetValue(role.Role, out var v) ? v : [];
            foreach (var value in values)
            {
                inputs.Add(new JobInput(role.Role, await ResolveAsync(role, value, cancellationToken).ConfigureAwait(false)));
            }
        }

        return inputs;
    }

    private async Task<BlobRef> ResolveAsync(InputRoleDescriptor role, string? value, CancellationToken cancellationToken)
    {
        var field = role.Role;
        if (string.IsNullOrWhiteSpace(value)) throw JobRejectedException.BadRequest(field, $"The '{field}' input is empty.");
        if (value.Length > MaxReferenceLength) throw JobRejectedException.BadRequest(field, $"The '{field}' input is {value.Length} characters long; at most {MaxReferenceLength} are allowed.");
        if (value.Any(char.IsControl)) throw JobRejectedException.BadRequest(field, $"The '{field}' input contains a control character.");

        if (!value.Contains('/') && role.Library is { } library)
        {
            if (value.Length > MaxNameLength || !StorageLayout.IsValidBlobName(value))
            {
                throw JobRejectedException.BadRequest(field, $"'{ParameterSchema.Printable(value)}' is not a valid name in the {library} library.");
            }

            var resolved = await StorageLayout.ResolveLibraryAsync(store, library, value, cancellationToken).ConfigureAwait(false)
                ?? throw JobRejectedException.BadRequest(field, $"There is no image named '{value}' in the {library} library.");
            return resolved;
        }

        if (!BlobRef.TryParse(value, out var blob))
        {
            throw JobRejectedException.BadRequest(field, $"'{ParameterSchema.Printable(value)}' is not a blob reference of the form container/name (no empty or dot segments).");
        }

        if (!StorageLayout.SourceContainers.Contains(blob.Container))
        {
            throw JobRejectedException.BadRequest(field, $"Inputs are read from the containers {string.Join(", ", StorageLayout.SourceContainers)} only.");
        }

        return blob;
    }

    /// <summary>The image's header, read from the start of the blob (nothing decoded), checked against the image limits.</summary>
    private async Task<InputHeader> ReadHeaderAsync(JobInput input, CancellationToken cancellationToken)
    {
        var label = $"the {input.Role} image '{input.Blob}'";
        var info = await store.GetInfoAsync(input.Blob, cancellationToken).ConfigureAwait(false)
            ?? throw JobRejectedException.BadRequest(input.Role, $"{Capitalize(label)} does not exist.");
        if (info.Size > inspector.MaxBytes)
        {
            throw JobRejectedException.BadRequest(input.Role, $"{Capitalize(label)} is {info.Size:N0} bytes; the limit is {inspector.MaxBytes:N0}.");
        }

        var prefix = await store.ReadPrefixAsync(input.Blob, HeaderBytes, cancellationToken).ConfigureAwait(false)
            ?? throw JobRejectedException.BadRequest(input.Role, $"{Capitalize(label)} does not exist.");
        try
        {
            try
            {
                return inspector.Identify(prefix, input.Role, input.Blob.ToString());
            }
            catch (InvalidArtworkInputException) when (prefix.Length < info.Size)
            {
                // A header past the first block (large metadata): read the whole image, within the byte limit.
                var whole = await store.ReadAsync(input.Blob, inspector.MaxBytes, cancellationToken).ConfigureAwait(false)
                    ?? throw JobRejectedException.BadRequest(input.Role, $"{Capitalize(label)} does not exist.");
                return inspector.Identify(whole.Content, input.Role, input.Blob.ToString());
            }
        }
        catch (InvalidArtworkInputException e)
        {
            throw JobRejectedException.BadRequest(input.Role, e.Message);
        }
        catch (BlobTooLargeException e)
        {
            throw JobRejectedException.BadRequest(input.Role, $"{Capitalize(label)} is {e.Size:N0} bytes; the limit is {e.Limit:N0}.");
        }
    }

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
