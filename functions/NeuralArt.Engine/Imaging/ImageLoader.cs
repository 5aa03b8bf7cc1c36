using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using NeuralArt.Contract;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace NeuralArt.Engine.Imaging;

/// <summary>What an image header says, read without decoding pixels.</summary>
public sealed record ImageHeader(int Width, int Height, string Format);

/// <summary>
/// Reads input images (JPEG, PNG, WebP, BMP, GIF's first frame) into RGB pixels, enforcing
/// <see cref="ImageLimits"/> in order of cost: the byte count first, then the header's dimensions,
/// and only then the decode. Every refusal is an <see cref="InvalidArtworkInputException"/> with a
/// one-line reason and the input's field name. Orientation from EXIF is applied, and transparency is
/// flattened onto white (what a viewer shows for a transparent PNG).
/// </summary>
public sealed class ImageLoader
{
    private const byte Opaque = byte.MaxValue;

    public ImageLoader(IOptions<ImageLimits> limits) : this(limits.Value) { }

    public ImageLoader(ImageLimits? limits = null) => Limits = limits ?? new ImageLimits();

    public ImageLimits Limits { get; }

    /// <summary>
    /// Reads an image file's bytes, refusing a missing file, a folder, or a file over
    /// <see cref="ImageLimits.MaxBytes"/> before reading it.
    /// </summary>
    public async Task<byte[]> ReadFileAsync(string path, string field, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidArtworkInputException($"No {field} image file was given.", field);
        }
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new InvalidArtworkInputException(
                Directory.Exists(path) ? $"'{path}' is a folder, not an image file." : $"Image file '{path}' does not exist.",
                field);
        }
        CheckByteCount(file.Length, field, $"'{Path.GetFileName(path)}'");
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidArtworkInputException($"Image file '{path}' cannot be read: {ex.Message}", field, ex);
        }
    }

    /// <summary>Reads the header and checks the limits, without decoding pixels.</summary>
    /// <param name="bytes">The encoded image.</param>
    /// <param name="field">The input's name in errors (<c>content</c>, <c>guide</c>, <c>style</c>).</param>
    /// <param name="label">How errors name the input (a file name); defaults to "the {field} image".</param>
    public ImageHeader Identify(ReadOnlyMemory<byte> bytes, string field, string? label = null)
    {
        label ??= $"the {field} image";
        if (bytes.IsEmpty)
        {
            throw new InvalidArtworkInputException($"{Capitalize(label)} is empty (0 bytes).", field);
        }
        CheckByteCount(bytes.Length, field, label);

        IImageInfo? info;
        IImageFormat? format;
        try
        {
            using var stream = AsStream(bytes);
            info = Image.Identify(ImageCodecs.Configuration, stream, out format);
        }
        catch (Exception ex) when (IsDecodeFailure(ex))
        {
            throw Corrupt(label, field, ex);
        }
        if (info is null || format is null)
        {
            throw new InvalidArtworkInputException(
                $"{Capitalize(label)} is not an image this tool reads ({ImageCodecs.SupportedFormats}).", field);
        }
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidArtworkInputException($"{Capitalize(label)} has an invalid size {info.Width}x{info.Height}.", field);
        }
        if (info.Width > Limits.MaxSide || info.Height > Limits.MaxSide)
        {
            throw new InvalidArtworkInputException(
                $"{Capitalize(label)} is {info.Width}x{info.Height} pixels; the largest side allowed is {Limits.MaxSide} px.", field);
        }
        if ((long)info.Width * info.Height > Limits.MaxPixels)
        {
            throw new InvalidArtworkInputException(
                $"{Capitalize(label)} is {info.Width}x{info.Height} pixels ({(long)info.Width * info.Height:N0}); the limit is {Limits.MaxPixels:N0} pixels.", field);
        }
        return new ImageHeader(info.Width, info.Height, format.Name);
    }

    /// <summary>Checks the limits from the header, then decodes to opaque RGB.</summary>
    public Image<Rgb24> Decode(ReadOnlyMemory<byte> bytes, string field, string? label = null)
    {
        Identify(bytes, field, label);
        label ??= $"the {field} image";
        Image<Rgba32> decoded;
        try
        {
            decoded = Image.Load<Rgba32>(ImageCodecs.Configuration, bytes.Span);
        }
        catch (Exception ex) when (IsDecodeFailure(ex))
        {
            throw Corrupt(label, field, ex);
        }
        using (decoded)
        {
            decoded.Mutate(x => x.AutoOrient());
            return FlattenOntoWhite(decoded);
        }
    }

    /// <summary>Reads and decodes an image file (see <see cref="ReadFileAsync"/> and <see cref="Decode"/>).</summary>
    public async Task<Image<Rgb24>> LoadFileAsync(string path, string field, CancellationToken cancellationToken = default)
    {
        var bytes = await ReadFileAsync(path, field, cancellationToken).ConfigureAwait(false);
        return Decode(bytes, field, $"'{Path.GetFileName(path)}'");
    }

    private void CheckByteCount(long length, string field, string label)
    {
        if (length == 0)
        {
            throw new InvalidArtworkInputException($"{Capitalize(label)} is empty (0 bytes).", field);
        }
        if (length > Limits.MaxBytes)
        {
            throw new InvalidArtworkInputException(
                $"{Capitalize(label)} is {length:N0} bytes; the limit is {Limits.MaxBytes:N0} bytes.", field);
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private static Image<Rgb24> FlattenOntoWhite(Image<Rgba32> source)
    {
        var result = new Image<Rgb24>(source.Width, source.Height);
        for (var y = 0; y < source.Height; y++)
        {
            var from = source.DangerousGetPixelRowMemory(y).Span;
            var to = result.DangerousGetPixelRowMemory(y).Span;
            for (var x = 0; x < from.Length; x++)
            {
                var p = from[x];
                to[x] = p.A == Opaque
                    ? new Rgb24(p.R, p.G, p.B)
                    : new Rgb24(OverWhite(p.R, p.A), OverWhite(p.G, p.A), OverWhite(p.B, p.A));
            }
        }
        return result;
    }

    // c * a + 255 * (255 - a), divided by 255 with rounding.
    private static byte OverWhite(byte c, byte a) => (byte)((c * a + Opaque * (Opaque - a) + Opaque / 2) / Opaque);

    private static bool IsDecodeFailure(Exception ex) =>
        ex is ImageFormatException or UnknownImageFormatException or NotSupportedException
            or InvalidDataException or EndOfStreamException or IndexOutOfRangeException
            or ArgumentException or InvalidOperationException;

    private static InvalidArtworkInputException Corrupt(string label, string field, Exception ex) =>
        new($"{Capitalize(label)} is not a readable {ImageCodecs.SupportedFormats} image: {FirstLine(ex.Message)}", field, ex);

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "the data is corrupt" : line;
    }

    private static string Capitalize(string text) =>
        text.Length == 0 || char.IsUpper(text[0]) || text[0] == '\'' ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
