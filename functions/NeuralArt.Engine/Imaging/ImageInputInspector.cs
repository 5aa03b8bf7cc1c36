using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuralArt.Contract;
using NeuralArt.Engine.Video;

namespace NeuralArt.Engine.Imaging;

/// <summary>
/// The hosts' view of inputs: <see cref="ImageLoader"/>'s byte limit and header check for images;
/// for a video container (MP4/MOV, Matroska/WebM, recognised by its first bytes) and an animated
/// GIF, the header ffprobe reads (size, frames, length), when a video prober is configured. Which
/// engine takes a video is the engines' business: a still engine's start refuses one it cannot decode.
/// </summary>
public sealed class ImageInputInspector(ImageLoader loader, EngineOptions? video = null, ILogger? logger = null) : IInputInspector
{
    private readonly VideoClip? _video = video is null ? null : new VideoClip(video, logger ?? NullLogger.Instance);

    public long MaxBytes => loader.Limits.MaxBytes;

    public InputHeader Identify(ReadOnlyMemory<byte> header, string role, string name)
    {
        if (_video is not null && VideoContainers.IsVideo(header.Span)) return Probe(header, role, name);
        var image = loader.Identify(header, role, $"the {role} image '{name}'");
        if (_video is null || !VideoContainers.IsGif(header.Span)) return new InputHeader(role, name, image.Width, image.Height);
        try
        {
            // An animated GIF is a clip too; a still one (or one ffprobe cannot count) stays an image.
            return Probe(header, role, name) is { Frames: > 1 } clip ? clip : new InputHeader(role, name, image.Width, image.Height);
        }
        catch (InvalidArtworkInputException)
        {
            return new InputHeader(role, name, image.Width, image.Height);
        }
    }

    private InputHeader Probe(ReadOnlyMemory<byte> bytes, string role, string name)
    {
        VideoHeader clip;
        try
        {
            // The door's interface is synchronous; ffprobe reads a header in milliseconds.
            clip = _video!.ProbeAsync(bytes, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (InvalidArtworkInputException ex)
        {
            throw new InvalidArtworkInputException($"The {role} video '{name}': {ex.Message}", role, ex);
        }
        return new InputHeader(role, name, clip.Width, clip.Height) { Frames = clip.Frames, Seconds = clip.Seconds };
    }
}
