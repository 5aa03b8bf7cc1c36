namespace NeuralArt.Engine.Imaging;

/// <summary>
/// Limits on input images, checked from the encoded bytes and the header before any pixel is
/// decoded, so a small file that claims a huge size (a decompression bomb) is refused cheaply.
/// Bound from the <c>NeuralArt:Images</c> configuration section (app settings
/// <c>NeuralArt__Images__MaxPixels</c> and so on).
/// </summary>
public sealed class ImageLimits
{
    public const string SectionName = "NeuralArt:Images";

    /// <summary>Default largest encoded file: 50 MiB.</summary>
    public const long DefaultMaxBytes = 50L * 1024 * 1024;

    /// <summary>Default largest side: 12000 px (beyond any camera we expect, far below a bomb).</summary>
    public const int DefaultMaxSide = 12_000;

    /// <summary>Default largest pixel count: 64 megapixels (256 MiB as 32-bit pixels).</summary>
    public const long DefaultMaxPixels = 64L * 1000 * 1000;

    /// <summary>Largest encoded input, in bytes.</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>Largest width or height, in pixels.</summary>
    public int MaxSide { get; set; } = DefaultMaxSide;

    /// <summary>Largest width x height.</summary>
    public long MaxPixels { get; set; } = DefaultMaxPixels;
}
