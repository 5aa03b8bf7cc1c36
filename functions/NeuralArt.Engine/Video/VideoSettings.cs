using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralArt.Contract;

namespace NeuralArt.Engine.Video;

/// <summary>
/// A video job's parameters as read after <see cref="DescriptorCheck"/>: the video's own
/// (<see cref="VideoSchema"/>) and the still engine's, kept as a JSON object each frame's settings
/// are made from. Written back as one flat object (the job's effective parameters).
/// </summary>
internal sealed record VideoSettings
{
    public required string Coherence { get; init; }

    public required double TemporalWeight { get; init; }

    public required int FirstFrameIterations { get; init; }

    public required int Iterations { get; init; }

    /// <summary>Frames per second asked for; null: the clip's own.</summary>
    public double? Fps { get; init; }

    public required int MaxSize { get; init; }

    /// <summary>The still engine's parameters.</summary>
    public required JsonObject Still { get; init; }

    public int FrameIterations(int frame) => frame == 0 ? FirstFrameIterations : Iterations;

    public bool Warps => Coherence != CoherenceModes.None;

    /// <summary>
    /// Reads checked parameters; with <paramref name="described"/> a parameter left out takes the
    /// descriptor's default (so the effective parameters say what runs).
    /// </summary>
    public static VideoSettings From(JsonObject parameters, IReadOnlyList<ParameterDescriptor> described)
    {
        var given = new JsonObject();
        foreach (var descriptor in described)
        {
            if (descriptor.Default is { } value) given[descriptor.Name] = value.DeepClone();
        }
        foreach (var (name, value) in parameters)
        {
            if (value is not null) given[name] = value.DeepClone();
        }
        var still = new JsonObject();
        foreach (var (name, value) in given)
        {
            if (!VideoSchema.Names.Contains(name, StringComparer.Ordinal)) still[name] = value?.DeepClone();
        }
        return new VideoSettings
        {
            Coherence = given[VideoSchema.Coherence]!.GetValue<string>(),
            TemporalWeight = given[VideoSchema.TemporalWeight]!.GetValue<double>(),
            FirstFrameIterations = given[VideoSchema.FirstFrameIterations]!.GetValue<int>(),
            Iterations = given[VideoSchema.Iterations]!.GetValue<int>(),
            Fps = given[VideoSchema.Fps]?.GetValue<double>(),
            MaxSize = given[VideoSchema.MaxSize]!.GetValue<int>(),
            Still = still,
        };
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static VideoSettings FromJson(string json, IReadOnlyList<ParameterDescriptor> described)
    {
        try
        {
            return From(JsonNode.Parse(json) as JsonObject ?? throw new InvalidArtworkInputException("The parameters must be a JSON object.", "parameters"), described);
        }
        catch (JsonException ex)
        {
            throw new InvalidArtworkInputException($"The parameters are not valid JSON: {ex.Message}", "parameters", ex);
        }
    }

    public string ToJson()
    {
        var json = new JsonObject
        {
            [VideoSchema.Coherence] = Coherence,
            [VideoSchema.TemporalWeight] = TemporalWeight,
            [VideoSchema.FirstFrameIterations] = FirstFrameIterations,
            [VideoSchema.Iterations] = Iterations,
            [VideoSchema.MaxSize] = MaxSize,
        };
        if (Fps is { } fps) json[VideoSchema.Fps] = fps;
        foreach (var (name, value) in Still) json[name] = value?.DeepClone();
        return json.ToJsonString();
    }
}
