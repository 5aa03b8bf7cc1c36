namespace NeuralArt.Engine.Optimizers;

/// <summary>Adam (Kingma and Ba, 2015) settings; the betas and epsilon are the paper's.</summary>
public sealed record AdamOptions
{
    /// <summary>Step size: with the image in [0,1], about the largest change of a pixel per iteration.</summary>
    public double LearningRate { get; init; } = 0.01;

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    public double Epsilon { get; init; } = 1e-8;

    /// <summary>
    /// Iterate averaging: the decay of an exponential moving average of the iterates (0: off), as
    /// crowsonkb's style transfer keeps one; <see cref="Adam.Average"/> is then the bias-corrected
    /// average, which a caller may take as the result instead of the last, noisier iterate.
    /// </summary>
    public double AverageDecay { get; init; }

    public void Validate()
    {
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Must be positive.");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Must be in [0,1).");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Must be in [0,1).");
        if (!(AverageDecay >= 0 && AverageDecay < 1)) throw new ArgumentOutOfRangeException(nameof(AverageDecay), AverageDecay, "Must be in [0,1).");
        if (!(Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Must be positive.");
    }
}
