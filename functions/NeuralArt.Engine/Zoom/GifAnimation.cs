using NeuralArt.Contract;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Zoom;

/// <summary>
/// An animated GIF built frame by frame from PNG frames (ImageSharp's encoder): it loops forever
/// and shows each frame for 1/fps seconds, to GIF's resolution of a hundredth of a second.
/// </summary>
internal sealed class GifAnimation : IDisposable
{
    private const double CentisecondsPerSecond = 100;
    /// <summary>GIF's "loop forever".</summary>
    private const ushort LoopForever = 0;

    private readonly int _delay;
    private Image<Rgb24>? _image;

    public GifAnimation(int fps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fps);
        _delay = Math.Max(1, (int)Math.Round(CentisecondsPerSecond / fps));
    }

    public int FrameCount => _image?.Frames.Count ?? 0;

    /// <summary>Appends frame <paramref name="index"/> (PNG bytes, the size of the first frame).</summary>
    public void Add(byte[] png, int index)
    {
        Image<Rgb24> frame;
        try
        {
            frame = Image.Load<Rgb24>(png, new PngDecoder());
        }
        catch (Exception ex) when (ex is ImageFormatException or UnknownImageFormatException)
        {
            throw new InvalidArtworkInputException($"Frame {index} is not a readable PNG; the animation cannot be made.", ZoomSchema.Frames, ex);
        }

        if (_image is null)
        {
            _image = frame;
            _image.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = _delay;
            return;
        }

        using (frame)
        {
            if (frame.Width != _image.Width || frame.Height != _image.Height)
            {
                throw new InvalidArtworkInputException(
                    $"Frame {index} is {frame.Width}x{frame.Height}, unlike frame 0 ({_image.Width}x{_image.Height}); the animation cannot be made.", ZoomSchema.Frames);
            }
            _image.Frames.AddFrame(frame.Frames.RootFrame).Metadata.GetGifMetadata().FrameDelay = _delay;
        }
    }

    public byte[] Encode()
    {
        var image = _image ?? throw new InvalidOperationException("An animation needs at least one frame.");
        image.Metadata.GetGifMetadata().RepeatCount = LoopForever;
        using var stream = new MemoryStream();
        image.Save(stream, new GifEncoder());
        return stream.ToArray();
    }

    public void Dispose() => _image?.Dispose();
}
