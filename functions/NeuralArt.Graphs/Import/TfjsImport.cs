using Onnx;

namespace NeuralArt.Graphs.Import;

/// <summary>
/// A TF.js layers model converted to ONNX (NCHW, dynamic height and width): the model, its image
/// input and outputs (named after their Keras layers), and the layers worth reading as taps.
/// </summary>
/// <param name="TapCandidates">
/// Outputs of Concatenate, Add and activation layers (and of layers with a non-linear activation),
/// in network order: where features are complete, so where a manifest's taps usually sit.
/// </param>
public sealed record TfjsImport(ModelProto Model, string Input, IReadOnlyList<string> Outputs, IReadOnlyList<string> TapCandidates);
