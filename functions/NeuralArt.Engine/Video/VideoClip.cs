using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;
using NeuralArt.Engine.Zoom;

namespace NeuralArt.Engine.Video;

/// <summary>
/// A clip's header, frames and sound through Debian's <c>ffprobe</c> and <c>ffmpeg</c> programs
/// (<see cref="FfmpegVideo"/>'s bounded runs). The clip's bytes are written to a temporary folder
/// (ffmpeg needs a seekable file: an MP4's index may be at its end) that is deleted afterwards.
/// Failures are <see cref="InvalidArtworkInputException"/>s naming <see cref="Field"/> with no
/// server path in their message.
/// </summary>
internal sealed class VideoClip
{
    /// <summary>Containers accepted, as ffprobe's <c>format_name</c> lists them (MP4/MOV, Matroska/WebM, GIF).</summary>
    private static readonly string[] Containers = ["mov", "mp4", "matroska", "webm", "gif"];

    private const string InputFile = "input";
    private const string FramesFile = "frames.rgb";
    private const string AudioFile = "audio.mka";
    private const string FolderPrefix = "neuralart-video-";

    private readonly FfmpegVideo _ffmpeg;
    private readonly FfmpegVideo _ffprobe;
    private readonly ILogger _logger;

    public VideoClip(EngineOptions options, ILogger logger)
    {
        var timeout = TimeSpan.FromSeconds(options.FfmpegTimeoutSeconds);
        _ffmpeg = new FfmpegVideo(options.FfmpegPath, timeout, logger);
        _ffprobe = new FfmpegVideo(options.FfprobePath, timeout, logger);
        _logger = logger;
    }

    /// <summary>The input role of the clip (the video engines' primary role).</summary>
    public const string Role = "video";

    /// <summary>The containers the door recognises, as media types for file pickers.</summary>
    public const string Accepted = "video/mp4,video/webm,video/quicktime,image/gif";

    /// <summary>The field problems with the clip are reported on (the job's clip input).</summary>
    public const string Field = Role;

    /// <summary>Reads the container header (nothing decoded): refuses what is not a video, has no frames or is truncated before its index.</summary>
    public async Task<VideoHeader> ProbeAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var folder = await WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return await ProbeFileAsync(folder, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Delete(folder);
        }
    }

    private async Task<VideoHeader> ProbeFileAsync(string folder, CancellationToken cancellationToken)
    {
        string json;
        try
        {
            json = await _ffprobe.RunAsync(
                ["-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height,nb_frames,avg_frame_rate,duration:format=format_name,duration", "-of", "json", InputFile],
                folder, "read the video's header", cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidArtworkInputException ex)
        {
            throw new InvalidArtworkInputException($"The video cannot be read: it is not a video file or it is damaged ({ex.Message})", Field, ex);
        }
        return Parse(json);
    }

    /// <summary>Reads ffprobe's JSON answer.</summary>
    internal static VideoHeader Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var format = root.TryGetProperty("format", out var f) && f.TryGetProperty("format_name", out var name) ? name.GetString() ?? "" : "";
        if (!format.Split(',').Any(n => Containers.Contains(n, StringComparer.Ordinal)))
        {
            throw new InvalidArtworkInputException($"The file is not a video (its format is '{format}'); MP4, WebM, MOV and animated GIF are accepted.", Field);
        }
        JsonElement? video = null;
        var audio = false;
        foreach (var stream in root.TryGetProperty("streams", out var s) ? s.EnumerateArray() : default)
        {
            var type = stream.TryGetProperty("codec_type", out var t) ? t.GetString() : null;
            if (type == "video" && video is null) video = stream;
            if (type == "audio") audio = true;
        }
        if (video is not { } v) throw new InvalidArtworkInputException("The file has no video track.", Field);
        var width = Int(v, "width");
        var height = Int(v, "height");
        var rate = Rate(v.TryGetProperty("avg_frame_rate", out var r) ? r.GetString() : null);
        var seconds = Number(v, "duration") ?? (f.ValueKind == JsonValueKind.Object ? Number(f, "duration") : null) ?? 0;
        var frames = Int(v, "nb_frames");
        if (frames <= 0 && rate > 0) frames = (int)Math.Round(seconds * rate);
        if (width <= 0 || height <= 0) throw new InvalidArtworkInputException("The video's header states no picture size.", Field);
        if (frames <= 0 || seconds <= 0 || rate <= 0) throw new InvalidArtworkInputException("The video has no frames.", Field);
        var codec = v.TryGetProperty("codec_name", out var c) ? c.GetString() ?? "" : "";
        return new VideoHeader(width, height, frames, seconds, rate, codec, audio);
    }

    /// <summary>
    /// The first <paramref name="count"/> frames sampled at <paramref name="fps"/> (null: every frame),
    /// scaled to <paramref name="width"/> x <paramref name="height"/>, as 8-bit interleaved RGB; and the
    /// clip's first audio track as a Matroska file (any codec fits), or null when it has none.
    /// </summary>
    public async Task<(List<byte[]> Frames, byte[]? Audio)> DecodeAsync(ReadOnlyMemory<byte> bytes, double? fps, int count, int width, int height, CancellationToken cancellationToken)
    {
        var folder = await WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        try
        {
            var header = await ProbeFileAsync(folder, cancellationToken).ConfigureAwait(false);
            var filter = $"scale={width}:{height}:flags=area";
            if (fps is { } rate && rate < header.FramesPerSecond) filter = $"fps={rate.ToString(CultureInfo.InvariantCulture)}," + filter;
            try
            {
                await _ffmpeg.RunAsync(
                    ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", InputFile, "-vf", filter, "-frames:v", count.ToString(CultureInfo.InvariantCulture),
                     "-f", "rawvideo", "-pix_fmt", "rgb24", FramesFile],
                    folder, "decode the video", cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidArtworkInputException ex)
            {
                throw new InvalidArtworkInputException($"The video could not be decoded ({ex.Message})", Field, ex);
            }
            var raw = await File.ReadAllBytesAsync(Path.Combine(folder, FramesFile), cancellationToken).ConfigureAwait(false);
            var frameBytes = 3 * width * height;
            var frames = new List<byte[]>(raw.Length / frameBytes);
            for (var offset = 0; offset + frameBytes <= raw.Length; offset += frameBytes) frames.Add(raw.AsSpan(offset, frameBytes).ToArray());
            if (frames.Count == 0) throw new InvalidArtworkInputException("The video decodes to no frames.", Field);

            byte[]? audio = null;
            if (header.HasAudio)
            {
                await _ffmpeg.RunAsync(["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", InputFile, "-map", "0:a:0", "-vn", "-c:a", "copy", AudioFile],
                    folder, "read the video's sound", cancellationToken).ConfigureAwait(false);
                audio = await File.ReadAllBytesAsync(Path.Combine(folder, AudioFile), cancellationToken).ConfigureAwait(false);
            }
            _logger.LogInformation("Decoded {Frames} frames of {Width}x{Height} from a {Codec} clip{Audio}.", frames.Count, width, height, header.Codec, audio is null ? "" : " with sound");
            return (frames, audio);
        }
        finally
        {
            Delete(folder);
        }
    }

    /// <summary>The Matroska audio file's name in the folder handed to <see cref="FfmpegVideo.EncodeAsync"/>.</summary>
    public const string AudioFileName = AudioFile;

    private static async Task<string> WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory(FolderPrefix).FullName;
        await File.WriteAllBytesAsync(Path.Combine(folder, InputFile), bytes, cancellationToken).ConfigureAwait(false);
        return folder;
    }

    private void Delete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(ex, "The temporary video folder {Folder} could not be deleted.", folder);
        }
    }

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && (value.ValueKind == JsonValueKind.Number ? value.TryGetInt32(out var n) : int.TryParse(value.GetString(), CultureInfo.InvariantCulture, out n)) ? n : 0;

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && double.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>ffprobe's rational rate, "15/1" or "30000/1001"; 0 when unknown.</summary>
    private static double Rate(string? text)
    {
        var parts = (text ?? "").Split('/');
        return parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var n) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var d) && d > 0 ? n / d : 0;
    }
}
