using Onnx;

namespace NeuralArt.Graphs.Compilation;

/// <summary>
/// A gradient graph split at its first max-pool (<see cref="PoolSplitter"/>): <see cref="Pre"/>
/// computes the pool's input, <see cref="Rest"/> everything after the pool down to the gradient of
/// the pool's output, <see cref="Back"/> the image gradient from the gradient of the pool's input.
/// Whoever runs them runs the pool (<see cref="Pool"/>) and its backward in between.
/// </summary>
public sealed record PoolSplitModels(ModelProto Pre, ModelProto Rest, ModelProto Back, MaxPoolGeometry Pool);
