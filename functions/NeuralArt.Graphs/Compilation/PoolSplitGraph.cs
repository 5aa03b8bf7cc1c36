namespace NeuralArt.Graphs.Compilation;

/// <summary>The three graph files of a pool-split gradient graph (<see cref="PoolSplitModels"/>) and the pool between them.</summary>
public sealed record PoolSplitGraph(string PrePath, string RestPath, string BackPath, MaxPoolGeometry Pool);
