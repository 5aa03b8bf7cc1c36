using NeuralArt.Engine.Imaging;
using NeuralArt.Contract;
using NeuralArt.Engine.Tests.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace NeuralArt.Engine.Tests.Imaging;

public class ImageLoaderTests
{
    private readonly ImageLoader _loader = new();

    [Fact]
    public void Decompression_bomb_is_refused_from_the_header()
    {
        var bomb = TestImages.PngClaiming(100_000, 100_000);
        Assert.True(bomb.Length < 100);

        var ex = Assert.Throws<InvalidArtworkInputException>(() => _loader.Decode(bomb, EngineDescriptor.SourceRole));

        Assert.Equal(EngineDescriptor.SourceRole, ex.Field);
        Assert.Contains("100000x100000", ex.Message);
        Assert.Contains("largest side", ex.Message);
    }

    [Fact]
    public void Too_many_pixels_within_the_side_limit_is_refused_from_the_header()
    {
        var bomb = TestImages.PngClaiming(10_000, 10_000);

        var ex = Assert.Throws<InvalidArtworkInputException>(() => _loader.Identify(bomb, EngineDescriptor.SourceRole));

        Assert.Contains("100,000,000", ex.Message);
        Assert.Contains("limit", ex.Message);
    }

    [Fact]
    public void Limits_come_from_the_options()
    {
        var loader = new ImageLoader(new ImageLimits { MaxSide = 40, MaxPixels = 1_000_000, MaxBytes = 1_000_000 });
        var png = TestImages.PatternPng(41, 10);

        var ex = Assert.Throws<InvalidArtworkInputException>(() => loader.Decode(png, "guide"));

        Assert.Equal("guide", ex.Field);
        Assert.Contains("41x10", ex.Message);
        Assert.Equal(40, loader.Decode(TestImages.PatternPng(40, 10), "guide").Width);
    }

    [Fact]
    public void Byte_limit_is_checked_before_the_header()
    {
        var png = TestImages.PatternPng(64, 64);
        var loader = new ImageLoader(new ImageLimits { MaxBytes = png.Length - 1 });

        var ex = Assert.Throws<InvalidArtworkInputException>(() => loader.Decode(png, EngineDescriptor.SourceRole));

        Assert.Contains("bytes", ex.Message);
    }

    [Fact]
    public void Empty_input_is_refused()
    {
        var ex = Assert.Throws<InvalidArtworkInputException>(() => _loader.Decode(Array.Empty<byte>(), EngineDescriptor.SourceRole));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void Non_image_bytes_are_refused()
    {
        var text = "this is not an image, just some text that is long enough"u8.ToArray();

        var ex = Assert.Throws<InvalidArtworkInputException>(() => _loader.Decode(text, EngineDescriptor.SourceRole));

        Assert.Contains("JPEG, PNG, WebP, BMP or GIF", ex.Message);
    }

    [Fact]
    public void Unsupported_format_is_refused()
    {
        using var image = TestImages.Pattern(16, 16);
        var tiff = TestImages.Encode(image, new TiffEncoder());

        Assert.Throws<InvalidArtworkInputException>(() => _loader.Decode(tiff, EngineDescriptor.SourceRole));
    }

    [Fact]
    public void Corrupt_image_data_is_refused_with_one_line()
    {
        var png = TestImages.PatternPng(64, 64);
        var truncated = png.AsSpan(0, png.Length / 2).ToArray();
        for (var i = 100; i < truncated.Length; i++) truncated[i] ^= 0x5A;

        var ex = Assert.Throws<InvalidArtworkInputException>(() => _loader.Decode(truncated, EngineDescriptor.SourceRole, "'cat.png'"));

        Assert.StartsWith("'cat.png' ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("bmp")]
    [InlineData("gif")]
    [InlineData("webp")]
    public void Every_supported_format_decodes(string format)
    {
        using var image = TestImages.Pattern(48, 32);
        var bytes = TestImages.Encode(image, format switch
        {
            "png" => new PngEncoder(),
            "jpeg" => new JpegEncoder { Quality = 95 },
            "bmp" => new BmpEncoder(),
            "gif" => new GifEncoder(),
            _ => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        });

        using var decoded = _loader.Decode(bytes, EngineDescriptor.SourceRole);

        Assert.Equal((48, 32), (decoded.Width, decoded.Height));
        // Top-left is dark red-free, bottom-right has full red and green (lossy formats: roughly).
        Assert.InRange(decoded[47, 31].R, 200, 255);
        Assert.InRange(decoded[0, 0].R, 0, 60);
    }

    [Fact]
    public void Animated_gif_gives_its_first_frame()
    {
        using var gif = new Image<Rgba32>(8, 8, new Rgba32(255, 0, 0));
        using var second = new Image<Rgba32>(8, 8, new Rgba32(0, 0, 255));
        gif.Frames.AddFrame(second.Frames.RootFrame);
        var bytes = TestImages.Encode(gif, new GifEncoder());

        using var decoded = _loader.Decode(bytes, EngineDescriptor.SourceRole);

        Assert.True(decoded[4, 4].R > 200 && decoded[4, 4].B < 50, $"expected red, got {decoded[4, 4]}");
    }

    [Fact]
    public void Transparency_is_flattened_onto_white()
    {
        using var image = new Image<Rgba32>(4, 4, new Rgba32(0, 0, 0, 0));
        image[1, 1] = new Rgba32(0, 0, 0, 255);
        image[2, 2] = new Rgba32(0, 0, 0, 128);
        var bytes = TestImages.Encode(image, new PngEncoder());

        using var decoded = _loader.Decode(bytes, EngineDescriptor.SourceRole);

        Assert.Equal(new Rgb24(255, 255, 255), decoded[0, 0]);
        Assert.Equal(new Rgb24(0, 0, 0), decoded[1, 1]);
        Assert.Equal(new Rgb24(127, 127, 127), decoded[2, 2]);
    }

    [Fact]
    public async Task Missing_file_and_folder_are_refused()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".png");

        var ex = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => _loader.LoadFileAsync(missing, EngineDescriptor.SourceRole));
        Assert.Contains("does not exist", ex.Message);

        var folder = await Assert.ThrowsAsync<InvalidArtworkInputException>(() => _loader.LoadFileAsync(Path.GetTempPath(), EngineDescriptor.SourceRole));
        Assert.Contains("folder", folder.Message);
    }

    [Fact]
    public void Writer_picks_the_format_from_the_extension()
    {
        Assert.Equal(RenderFormat.Png, ImageWriter.FormatForPath("a/b.PNG"));
        Assert.Equal(RenderFormat.Jpeg, ImageWriter.FormatForPath("b.jpeg"));
        Assert.Equal(RenderFormat.Jpeg, ImageWriter.FormatForPath("b.jpg"));
        var ex = Assert.Throws<InvalidArtworkInputException>(() => ImageWriter.FormatForPath("b.webp"));
        Assert.Equal("output", ex.Field);

        using var image = TestImages.Pattern(10, 10);
        var png = ImageWriter.Encode(image, RenderFormat.Png);
        var jpeg = ImageWriter.Encode(image, RenderFormat.Jpeg);
        Assert.Equal("PNG", _loader.Identify(png, "x").Format);
        Assert.Equal("JPEG", _loader.Identify(jpeg, "x").Format);
    }
}
