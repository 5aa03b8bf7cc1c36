namespace NeuralArt.Pipeline.Admission;

/// <summary>
/// A job as a caller asks for it, before any check: the kind, the inputs by role (each a blob
/// reference <c>container/name</c>, or a bare name of the role's library), the parameters as a JSON
/// object text, an optional chunk budget, and where it came from (<see cref="Jobs.JobOrigins"/>).
/// </summary>
public sealed record JobOrder(
    string? Kind,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Inputs,
    string ParametersJson,
    double? ChunkBudgetSeconds,
    string Origin);
