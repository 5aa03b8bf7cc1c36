namespace NeuralArt.Engine.Video;

/// <summary>How a video frame is tied to the one before it.</summary>
public static class CoherenceModes
{
    /// <summary>Start from the previous result warped by the optical flow, and keep close to it where the flow is reliable (temporal loss).</summary>
    public const string Flow = "flow";
    /// <summary>Start from the previous result warped by the optical flow, no temporal loss.</summary>
    public const string Init = "init";
    /// <summary>Every frame on its own (flickers; for comparison).</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [Flow, Init, None];
}
