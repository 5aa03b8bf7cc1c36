using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Video;

/// <summary>What one frame passes on to the next through the optical flow of their source frames.</summary>
internal static class VideoMotion
{
    /// <summary>
    /// <paramref name="result"/> (frame k's output) warped onto frame k+1 along the backward flow of
    /// the source frames, and frame k+1's consistency mask from the forward-backward check. The flow
    /// is computed on the sources, never on the stylized frames (whose texture would mislead it).
    /// </summary>
    public static (ImageTensor Warped, float[] Mask) Carry(ImageTensor result, ImageTensor source, ImageTensor nextSource)
    {
        var backward = OpticalFlow.Compute(nextSource, source);
        var forward = OpticalFlow.Compute(source, nextSource);
        return (OpticalFlow.Warp(result, backward), OpticalFlow.ConsistencyMask(forward, backward));
    }
}
