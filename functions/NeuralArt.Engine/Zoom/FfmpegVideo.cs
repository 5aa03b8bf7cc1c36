using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NeuralArt.Contract;

namespace NeuralArt.Engine.Zoom;

/// <summary>
/// Encodes numbered PNG frames in a folder into an MP4 that browsers play (H.264, yuv420p, the
/// index at the front) by running the <c>ffmpeg</c> program: ImageSharp makes no video and a
/// managed H.264 encoder is not worth carrying. The run is bounded by a timeout and stopped
/// (with its children) on cancellation. Failures become <see cref="InvalidArtworkInputException"/>s
/// on field <c>ffmpeg</c> whose messages name no server path; the details go to the log.
/// </summary>
internal sealed class FfmpegVideo
{
    public const string Field = "ffmpeg";

    /// <summary>Digits of a frame's number in its file name: <c>00000.png</c>, as ffmpeg's pattern reads them.</summary>
    private const int FrameDigits = 5;
    private const string OutputFile = "animation.mp4";
    /// <summary>Longest ffmpeg diagnostic quoted in a message.</summary>
    private const int MaxReasonLength = 300;

    private readonly string _program;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    public FfmpegVideo(string program, TimeSpan timeout, ILogger logger)
    {
        _program = program;
        _timeout = timeout;
        _logger = logger;
    }

    /// <summary>Where frame <paramref name="index"/> goes in the folder handed to <see cref="EncodeAsync"/>.</summary>
    public static string FrameFile(string folder, int index) =>
        Path.Combine(folder, index.ToString("D" + FrameDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + ".png");

    /// <summary>
    /// Encodes the frames <see cref="FrameFile"/> wrote in <paramref name="folder"/> at <paramref name="fps"/>; returns the MP4's bytes.
    /// With <paramref name="audioFile"/> (a file in the folder) its audio track is copied in, cut to the frames' length.
    /// </summary>
    public async Task<byte[]> EncodeAsync(string folder, double fps, CancellationToken cancellationToken, string? audioFile = null)
    {
        var output = Path.Combine(folder, OutputFile);
        var rate = fps.ToString("0.######", CultureInfo.InvariantCulture);
        // Names relative to the folder (the working directory), so ffmpeg's messages hold no server path.
        List<string> arguments = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-framerate", rate, "-i", $"%0{FrameDigits}d.png"];
        if (audioFile is not null) arguments.AddRange(["-i", audioFile, "-map", "0:v:0", "-map", "1:a:0", "-c:a", "copy", "-shortest"]);
        arguments.AddRange(
        [
            // yuv420p halves the chroma: both sides must be even, so odd ones get a pixel of padding.
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", rate,
            // The index first, so a browser starts playing before the whole file has arrived.
            "-movflags", "+faststart",
        ]);
        if (audioFile is null) arguments.Add("-an");
        arguments.Add(OutputFile);
        await RunAsync(arguments, folder, "make the video", cancellationToken).ConfigureAwait(false);
        if (!File.Exists(output)) throw new InvalidArtworkInputException("ffmpeg could not make the video: it wrote no file.", Field);
        return await File.ReadAllBytesAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the program with <paramref name="arguments"/> in <paramref name="folder"/> and returns
    /// what it wrote to its standard output; a failure to start, a non-zero exit or the timeout
    /// throws <see cref="InvalidArtworkInputException"/> (field <see cref="Field"/>) saying it could
    /// not <paramref name="purpose"/>, with its last diagnostic line.
    /// </summary>
    public async Task<string> RunAsync(IEnumerable<string> arguments, string folder, string purpose, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var name = Path.GetFileName(_program);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            _logger.LogError(ex, "{Name} ({Program}) could not be started.", name, _program);
            throw new InvalidArtworkInputException(
                $"To {purpose} this host needs the {name} program, which could not be started (is it installed and configured?).", Field, ex);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        // Both pipes are drained while the program runs, so a chatty run cannot fill one and stall.
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended on its own between the timeout and the kill.
            }
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidArtworkInputException(
                $"{name} did not {purpose} within {_timeout.TotalSeconds:F0} s; it was stopped.", Field);
        }

        var log = await errors.ConfigureAwait(false);
        var text = await output.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            _logger.LogError("{Name} exited with code {Code}: {Errors}", name, process.ExitCode, log);
            var reason = Reason(log, folder);
            throw new InvalidArtworkInputException(
                $"{name} could not {purpose} (exit code {process.ExitCode}){(reason.Length > 0 ? ": " + reason : ".")}", Field);
        }
        return text;
    }

    /// <summary>ffmpeg's last diagnostic line, with the temporary folder's name taken out (it is a server path).</summary>
    private static string Reason(string log, string folder)
    {
        var line = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        line = line.Replace(folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).Replace(folder, "frames", StringComparison.Ordinal);
        return line.Length <= MaxReasonLength ? line : line[..MaxReasonLength] + "…";
    }
}
