namespace NeuralArt.Engine.Style;

/// <summary>The weighted parts of the style objective at one image.</summary>
public readonly record struct StyleLossParts(double Style, double Content, double TotalVariation)
{
    public double Total => Style + Content + TotalVariation;
}

/// <summary>
/// The style transfer objective of one scale (image size), against fixed targets: whole-image
/// (<see cref="WholeImageStyleObjective"/>) or tile by tile (<see cref="TiledStyleObjective"/>),
/// which agree to float precision.
/// </summary>
public interface IStyleObjective : IDisposable
{
    int Height { get; }

    int Width { get; }

    /// <summary>Computes the gradient at <paramref name="image"/> ([3,H,W] planar) into <paramref name="gradient"/> and returns the loss.</summary>
    double Evaluate(ReadOnlySpan<float> image, Span<float> gradient, CancellationToken cancellationToken);

    /// <summary>The loss parts at <paramref name="image"/>.</summary>
    StyleLossParts Measure(ReadOnlySpan<float> image, CancellationToken cancellationToken);
}

/// <summary>Computes a scale's targets: Grams of a (style) image and features of the content.</summary>
internal interface IStyleTargetSource
{
    /// <summary>Normalized (and smoothed) Gram per style tap of <paramref name="image"/>.</summary>
    IReadOnlyDictionary<string, float[]> Grams(Tensors.ImageTensor image, CancellationToken cancellationToken);

    /// <summary>Features per content tap of <paramref name="image"/>.</summary>
    IReadOnlyDictionary<string, Runtime.FeatureMap> ContentFeatures(Tensors.ImageTensor image, CancellationToken cancellationToken);
}
