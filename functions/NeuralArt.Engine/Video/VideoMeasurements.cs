using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Tensors;
using NeuralArt.Engine.Zoom;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Video;

/// <summary>
/// The flicker measurements of the video engines (for the CLI's figures and the tests, not on a
/// job's path): the temporal error of Ruder et al., mean |out[k+1] - warp(out[k])| over the pixels
/// the warp can be trusted at, with the warp either known (a synthetic pan) or from the optical
/// flow of the source frames with its consistency mask; and the synthetic pan clip itself.
/// </summary>
public static class VideoMeasurements
{
    /// <summary>
    /// A clip made by sliding a <paramref name="width"/> x <paramref name="height"/> window
    /// <paramref name="step"/> px to the right per frame across <paramref name="photo"/> (scaled to the
    /// window's height plus room for the pan): the true motion is known. Encoded as a near-lossless
    /// H.264 MP4 (ffmpeg), so it goes through the same decoding as any clip.
    /// </summary>
    public static async Task<byte[]> PanClipAsync(byte[] photo, int width, int height, int frames, int step, int fps, EngineOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EngineOptions();
        using var image = Image.Load<Rgb24>(photo);
        var needed = width + step * (frames - 1);
        var scale = Math.Max((double)needed / image.Width, (double)height / image.Height);
        image.Mutate(x => x.Resize((int)Math.Ceiling(image.Width * scale), (int)Math.Ceiling(image.Height * scale)));
        var top = (image.Height - height) / 2;
        var folder = Directory.CreateTempSubdirectory("neuralart-pan-").FullName;
        try
        {
            for (var k = 0; k < frames; k++)
            {
                using var crop = image.Clone(x => x.Crop(new Rectangle(k * step, top, width, height)));
                await File.WriteAllBytesAsync(FfmpegVideo.FrameFile(folder, k), ImageWriter.Encode(crop, RenderFormat.Png), cancellationToken).ConfigureAwait(false);
            }
            var ffmpeg = new FfmpegVideo(options.FfmpegPath, TimeSpan.FromSeconds(options.FfmpegTimeoutSeconds), NullLogger.Instance);
            return await ffmpeg.EncodeAsync(folder, fps, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Mean over consecutive frames of the temporal error under a known pan of
    /// <paramref name="step"/> px to the right per frame (content moves left), over the columns
    /// that stay in view.
    /// </summary>
    public static double PanTemporalError(IReadOnlyList<byte[]> pngFrames, int step)
    {
        var frames = pngFrames.Select(Decode).ToList();
        var (height, width) = (frames[0].Height, frames[0].Width);
        var flow = FlowField.Uniform(height, width, step, 0);
        var kept = new float[height * width];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width - step; x++) kept[y * width + x] = 1;
        }
        return Enumerable.Range(0, frames.Count - 1).Average(k => OpticalFlow.TemporalError(frames[k + 1], OpticalFlow.Warp(frames[k], flow), kept));
    }

    /// <summary>
    /// Mean over consecutive frames of the temporal error with the warp from the optical flow of
    /// <paramref name="sources"/> (the clip's frames, the outputs' size), counted only where the
    /// consistency mask keeps a pixel.
    /// </summary>
    public static double FlowTemporalError(IReadOnlyList<byte[]> pngFrames, IReadOnlyList<byte[]> sources)
    {
        var frames = pngFrames.Select(Decode).ToList();
        var clip = sources.Select(Decode).ToList();
        return Enumerable.Range(0, frames.Count - 1).Average(k =>
        {
            var backward = OpticalFlow.Compute(clip[k + 1], clip[k]);
            var mask = OpticalFlow.ConsistencyMask(OpticalFlow.Compute(clip[k], clip[k + 1]), backward);
            return OpticalFlow.TemporalError(frames[k + 1], OpticalFlow.Warp(frames[k], backward), mask);
        });
    }

    /// <summary>
    /// Mean seconds of what a video engine computes between two frames from their sources: the
    /// backward and forward flows and the consistency mask.
    /// </summary>
    public static double FlowSecondsPerFrame(IReadOnlyList<byte[]> sources)
    {
        var clip = sources.Select(Decode).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var k = 0; k + 1 < clip.Count; k++)
        {
            var backward = OpticalFlow.Compute(clip[k + 1], clip[k]);
            OpticalFlow.ConsistencyMask(OpticalFlow.Compute(clip[k], clip[k + 1]), backward);
        }
        return clip.Count < 2 ? 0 : watch.Elapsed.TotalSeconds / (clip.Count - 1);
    }

    /// <summary>The frames of a clip as the video engines decode them (sampled at <paramref name="fps"/>, at most <paramref name="maxSize"/>), as PNGs.</summary>
    public static async Task<IReadOnlyList<byte[]>> DecodeFramesAsync(byte[] clip, int maxSize, int count, double? fps = null, EngineOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var video = new VideoClip(options ?? new EngineOptions(), logger ?? NullLogger.Instance);
        var header = await video.ProbeAsync(clip, cancellationToken).ConfigureAwait(false);
        var (width, height) = PlanSizes.FitWithin(header.Width, header.Height, maxSize);
        var (frames, _) = await video.DecodeAsync(clip, fps, Math.Min(count, header.Frames), width, height, cancellationToken).ConfigureAwait(false);
        return frames.Select(f =>
        {
            using var image = ImageTensorConversions.FromRgbBytes(f, width, height);
            return ImageWriter.Encode(image, RenderFormat.Png);
        }).ToList();
    }

    private static ImageTensor Decode(byte[] png)
    {
        using var image = Image.Load<Rgb24>(png);
        return image.ToTensor();
    }
}
