namespace NeuralArt.Graphs.Analysis;

/// <summary>
/// What a plan needs to know of a network cut at some taps, without running it: convolution
/// multiply-adds and activation sizes at an image size, and the channels of each tap.
/// </summary>
public interface INetworkCost
{
    /// <summary>Multiply-adds of every Conv between the image and the taps.</summary>
    long ForwardMacs(int height, int width);

    /// <summary>Multiply-adds of one gradient step: each Conv forward and once more for its input gradient.</summary>
    long GradientStepMacs(int height, int width);

    /// <summary>Values of every activation between the image and the taps, summed over nodes.</summary>
    long ActivationValues(int height, int width);

    /// <summary>Channels of a tap, or null when unknown.</summary>
    long? TapChannels(string tap);
}
