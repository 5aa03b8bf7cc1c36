using System.Diagnostics;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using NeuralArt.Testing;

namespace NeuralArt.Host.Tests;

/// <summary>The local host (with the blur engines) as a child process, so that a test can kill -9 it.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    public const string Key = "test-function-key";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process process;
    private readonly StringBuilder output = new();

    private HostProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add("x-functions-key", Key);
        Http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    /// <summary>A client that sends the function key.</summary>
    public HttpClient Http { get; }

    public string Output
    {
        get { lock (output) { return output.ToString(); } }
    }

    /// <summary>Settings that make a killed host's work come back within seconds, not minutes.</summary>
    public static IEnumerable<string> FastRecoveryArguments(string connectionString, string taskHub) =>
    [
        $"--NeuralArt:Host:StorageConnectionString={connectionString}",
        $"--NeuralArt:Host:TaskHubName={taskHub}",
        $"--NeuralArt:Host:FunctionKey={Key}",
        "--NeuralArt:Host:InboxPollInterval=00:00:00.500",
        "--NeuralArt:Host:LeaseInterval=00:00:06",
        "--NeuralArt:Host:WorkItemVisibilityTimeout=00:00:10",
        "--NeuralArt:Host:ControlQueueVisibilityTimeout=00:00:10",
        "--NeuralArt:Host:MaxConcurrentActivities=2",
        "--NeuralArt:Pipeline:ActivityFirstRetryInterval=00:00:01",
    ];

    public static async Task<HostProcess> StartAsync(string connectionString, string taskHub, params string[] extra)
    {
        var dll = typeof(HostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestServerPath").Value!;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The test server is not built: {dll}");
        }

        var port = Azurite.FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in FastRecoveryArguments(connectionString, taskHub).Append($"--NeuralArt:Host:Url=http://127.0.0.1:{port}").Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }

        var host = new HostProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        using var cancel = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            if (host.process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with {host.process.ExitCode}:\n{host.Output}");
            }

            try
            {
                using var response = await host.Http.GetAsync("/health", cancel.Token);
                if (response.IsSuccessStatusCode)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException)
            {
                await host.DisposeAsync();
                throw new TimeoutException($"The host did not answer /health within {StartTimeout}:\n{host.Output}");
            }

            await Task.Delay(200, cancel.Token);
        }
    }

    /// <summary>SIGKILL: no shutdown, no cleanup, chunks in flight are lost mid-way.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGTERM, as Container Apps and Ctrl+C stop a process, then the time until it exited; null when
    /// it was still running after <paramref name="patience"/> (it is then killed).
    /// </summary>
    public async Task<TimeSpan?> TerminateAsync(TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return clock.Elapsed;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return null;
        }
    }

    private void Append(string? line)
    {
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
