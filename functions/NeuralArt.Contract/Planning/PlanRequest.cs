namespace NeuralArt.Contract;

/// <summary>What a plan is made from: the job's parameters (a JSON object), its inputs' headers, the host's caps.</summary>
public sealed record PlanRequest(string ParametersJson, IReadOnlyList<InputHeader> Inputs, EngineLimits Limits);
