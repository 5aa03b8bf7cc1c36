using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Engine.Imaging;
using NeuralArt.Engine.Zoom;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Video;

/// <summary>
/// The video engines' declared outputs and their final step: from the frames the chunks handed
/// over, a small GIF preview and <c>video.mp4</c> (H.264, yuv420p, at the sampled rate, with the
/// clip's sound copied when it has one).
/// </summary>
internal static class VideoOutputs
{
    public const string FramesOutput = "frames";
    public const string PreviewOutput = "preview";
    public const string VideoOutput = "video";
    public const string PreviewFile = "preview.gif";
    public const string VideoFile = "video.mp4";

    /// <summary>The GIF preview's longest side: small enough for a page, big enough to see the motion.</summary>
    public const int PreviewMaxSide = 320;

    /// <summary>GIF frame delays are hundredths of a second: the preview's rate is rounded to a whole number of frames per second.</summary>
    private const int MinPreviewFps = 1;

    private const string FolderPrefix = "neuralart-video-out-";

    public static IReadOnlyList<OutputDescriptor> Describe() =>
    [
        new() { Name = FramesOutput, Kind = OutputKinds.Frames, Formats = ["png"], Help = "Every frame as a PNG, written as it is made." },
        new() { Name = PreviewOutput, Kind = OutputKinds.Animation, Formats = ["gif"], File = PreviewFile, Help = $"A looping GIF preview, at most {PreviewMaxSide} px." },
        new() { Name = VideoOutput, Kind = OutputKinds.Video, Formats = ["mp4"], File = VideoFile, Help = "The frames as an H.264 MP4 video with the clip's sound." },
    ];

    public static async Task FinishAsync(VideoState video, IEngineOutputs outputs, EngineOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        using var gif = new GifAnimation(Math.Max(MinPreviewFps, (int)Math.Round(video.Fps)));
        try
        {
            for (var index = 0; index < video.FrameCount; index++)
            {
                var png = await outputs.ReadFrameAsync(index, cancellationToken).ConfigureAwait(false);
                await File.WriteAllBytesAsync(FfmpegVideo.FrameFile(folder, index), png, cancellationToken).ConfigureAwait(false);
                gif.Add(Small(png), index);
            }
            var animation = await Task.Run(gif.Encode, cancellationToken).ConfigureAwait(false);
            await outputs.WriteAsync(PreviewFile, animation, ContentTypes.Gif, cancellationToken).ConfigureAwait(false);

            string? audio = null;
            if (video.Audio.Length > 0)
            {
                audio = VideoClip.AudioFileName;
                await File.WriteAllBytesAsync(Path.Combine(folder, audio), video.Audio, cancellationToken).ConfigureAwait(false);
            }
            var ffmpeg = new FfmpegVideo(options.FfmpegPath, TimeSpan.FromSeconds(options.FfmpegTimeoutSeconds), logger);
            var mp4 = await ffmpeg.EncodeAsync(folder, video.Fps, cancellationToken, audio).ConfigureAwait(false);
            await outputs.WriteAsync(VideoFile, mp4, ContentTypes.Mp4, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(ex, "The temporary video folder {Folder} could not be deleted.", folder);
            }
        }
    }

    /// <summary>A frame scaled down to the preview's size, as PNG.</summary>
    private static byte[] Small(byte[] png)
    {
        using var image = Image.Load<Rgb24>(png);
        if (Math.Max(image.Width, image.Height) <= PreviewMaxSide) return png;
        ArtworkEngineBase.FitWithin(image, PreviewMaxSide);
        return ImageWriter.Encode(image, RenderFormat.Png);
    }
}
