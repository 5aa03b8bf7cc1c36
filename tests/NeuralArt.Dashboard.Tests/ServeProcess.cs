using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using NeuralArt.Testing;

namespace NeuralArt.Dashboard.Tests;

/// <summary>
/// <c>neuralart serve</c> as a user starts it (the real engines, on the CPU), on a free loopback
/// port, against the test's Azurite; the dashboard link is read from what it prints.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private const string LinkPrefix = "Dashboard: ";

    /// <summary>The first start compiles the dream graphs; a loaded 2-core machine is slow at it.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<string> link = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process, string key, Uri baseAddress)
    {
        this.process = process;
        Key = key;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Exited += (_, _) => link.TrySetException(new InvalidOperationException($"neuralart serve exited with {process.ExitCode}:\n{Output}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Key { get; }

    public Uri BaseAddress { get; }

    /// <summary>What serve printed (the key is in it: for failure messages of tests only).</summary>
    public string Output
    {
        get { lock (output) { return output.ToString(); } }
    }

    /// <summary>Starts serve and waits for its dashboard link (printed once the host is listening).</summary>
    public static async Task<(ServeProcess Process, string Link)> StartAsync(string connectionString, string taskHub)
    {
        var dll = typeof(ServeProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliPath").Value!;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The CLI is not built: {dll}");
        }

        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var port = Azurite.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NO_COLOR"] = "1";
        foreach (var arg in new[]
        {
            dll, "serve", "--url", url, "--storage", connectionString, "--task-hub", taskHub, "--key", key, "--no-inbox",
            // The CPU and kind to a machine shared with other builds; chunks of about a second, so that
            // a small dream has several chunks and so several previews.
            "--provider", "cpu", "--no-spin", "--chunk-seconds", "1",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var serve = new ServeProcess(Process.Start(start)!, key, new Uri(url));
        try
        {
            var printed = await serve.link.Task.WaitAsync(StartTimeout);
            return (serve, printed);
        }
        catch (TimeoutException)
        {
            var log = serve.Output;
            await serve.DisposeAsync();
            throw new TimeoutException($"neuralart serve printed no dashboard link within {StartTimeout}:\n{log}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (line.StartsWith(LinkPrefix, StringComparison.Ordinal))
        {
            link.TrySetResult(line[LinkPrefix.Length..].Trim());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
