namespace NeuralArt.Engine.Optimizers;

/// <summary>
/// The function an optimizer minimizes: reads the point <paramref name="x"/>, writes the gradient
/// into <paramref name="gradient"/> (same length) and returns the loss. Must not keep or modify
/// <paramref name="x"/>.
/// </summary>
public delegate double GradientFunction(float[] x, float[] gradient, CancellationToken cancellationToken);
