using NeuralArt.Contract;
using NeuralArt.Engine.Tensors;

namespace NeuralArt.Engine.Video;

/// <summary>
/// What the video engines' plans share: the clip's header against the host's caps and the request
/// (frames, length, rate), the working size, and a video's cost from its frames' still plans (every
/// frame counted).
/// </summary>
internal static class VideoPlanning
{
    /// <summary>A requested rate this close above the clip's is the clip's (rates are ratios rounded in headers).</summary>
    private const double RateTolerance = 1e-3;

    /// <summary>The clip as the job makes it: sampled frame count, working size, output rate.</summary>
    public sealed record Clip(int Frames, int Width, int Height, double Fps);

    public static Clip Check(VideoHeader header, VideoSettings settings, EngineLimits limits) =>
        Check(new InputHeader(VideoClip.Role, "video", header.Width, header.Height) { Frames = header.Frames, Seconds = header.Seconds }, settings, limits);

    public static Clip Check(InputHeader source, VideoSettings settings, EngineLimits limits)
    {
        const string field = VideoClip.Field;
        if (source.Frames is not { } frames || source.Seconds is not { } seconds)
        {
            throw new InvalidArtworkInputException($"The source '{source.Name}' is not a video; MP4, WebM, MOV and animated GIF clips are accepted.", field);
        }
        if (frames <= 0 || seconds <= 0) throw new InvalidArtworkInputException($"The video '{source.Name}' has no frames.", field);
        if (frames > limits.MaxVideoFrames)
        {
            throw new InvalidArtworkInputException($"The video '{source.Name}' has {frames:N0} frames; this host takes at most {limits.MaxVideoFrames:N0}.", field);
        }
        if (seconds > limits.MaxVideoSeconds)
        {
            throw new InvalidArtworkInputException($"The video '{source.Name}' is {seconds:0.##} s long; this host takes at most {limits.MaxVideoSeconds:0.##} s.", field);
        }
        var rate = frames / seconds;
        if (settings.Fps is { } asked && asked > rate + RateTolerance)
        {
            throw new InvalidArtworkInputException($"fps is {asked:0.###} but the video has {rate:0.###} frames per second; ask for at most that (frames are sampled, never made up).", VideoSchema.Fps);
        }
        var fps = settings.Fps is { } f && f < rate - RateTolerance ? f : rate;
        var count = fps < rate ? Math.Max(1, Math.Min(frames, (int)Math.Floor(seconds * fps + RateTolerance))) : frames;
        if (count > limits.MaxFrames)
        {
            throw new InvalidArtworkInputException($"The video would make {count:N0} frames; this host makes at most {limits.MaxFrames:N0} per job. Ask for a lower fps.", VideoSchema.Fps);
        }
        var (width, height) = PlanSizes.FitWithin(source.Width, source.Height, settings.MaxSize);
        PlanLimits.WorkingImage(width, height, limits, VideoSchema.MaxSize);
        return new Clip(count, width, height, fps);
    }

    /// <summary>
    /// The video's plan from its first frame's and a later frame's still plans: every frame counted,
    /// the checkpoint with the clip's frames and the warped previous result and mask.
    /// </summary>
    public static JobPlan Combine(JobPlan first, JobPlan later, Clip clip, string parametersJson, EngineLimits limits, string iterationsField)
    {
        var others = clip.Frames - 1;
        var total = first.Cost.Iterations + others * later.Cost.Iterations;
        PlanLimits.Iterations(total, limits, $"{clip.Frames} frames ({first.Cost.Iterations} iterations, then {later.Cost.Iterations} each)", iterationsField);
        var pixels = (long)clip.Width * clip.Height;
        // The clip's frames (8-bit RGB) and, for the frame being made, the warped previous result (float RGB) and its mask.
        var videoBytes = clip.Frames * ImageTensor.Channels * pixels + (ImageTensor.Channels + 1) * sizeof(float) * pixels;
        var checkpoint = Math.Max(first.Cost.CheckpointBytes, later.Cost.CheckpointBytes) + videoBytes;
        PlanLimits.Checkpoint(checkpoint, limits, VideoSchema.MaxSize);
        return new JobPlan
        {
            ParametersJson = parametersJson,
            Model = first.Model,
            Stages = [first.Stages[^1] with { Iterations = (int)first.Cost.Iterations }, .. Enumerable.Repeat(later.Stages[^1] with { Iterations = (int)later.Cost.Iterations }, others)],
            Cost = new JobCost
            {
                Iterations = total,
                PixelIterations = first.Cost.PixelIterations + others * later.Cost.PixelIterations,
                MultiplyAdds = first.Cost.MultiplyAdds + others * later.Cost.MultiplyAdds,
                PeakMemoryBytes = Math.Max(first.Cost.PeakMemoryBytes, later.Cost.PeakMemoryBytes) + videoBytes,
                CheckpointBytes = checkpoint,
                WorkingPixels = Math.Max(first.Cost.WorkingPixels, later.Cost.WorkingPixels),
            },
        };
    }
}
