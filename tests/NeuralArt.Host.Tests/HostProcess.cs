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
    private bool disposed;

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
        var port = Azurite.FreePort();
        var host = new HostProcess(Launch(FastRecoveryArguments(connectionString, taskHub).Append($"--NeuralArt:Host:Url=http://127.0.0.1:{port}").Concat(extra)), new Uri($"http://127.0.0.1:{port}"));
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

    /// <summary>
    /// A chunk worker (<c>neuralart worker</c> with the blur engines) named <paramref name="name"/>, ready
    /// once it has logged that it takes messages. It has no HTTP API (<see cref="Http"/> is not used).
    /// </summary>
    public static async Task<HostProcess> StartWorkerAsync(string connectionString, string name, params string[] extra)
    {
        var worker = new HostProcess(
            Launch(new[]
            {
                "--TestServer:Worker=true",
                $"--NeuralArt:Host:StorageConnectionString={connectionString}",
                $"--NeuralArt:Chunks:WorkerName={name}",
            }.Concat(extra)),
            new Uri("http://127.0.0.1:9"));
        await worker.WaitForOutputAsync("takes messages from queue", StartTimeout);
        return worker;
    }

    /// <summary>Waits (a bounded poll of the captured output) until the process has written <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with {process.ExitCode} before writing '{text}':\n{Output}");
            }

            try
            {
                await Task.Delay(100, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The process did not write '{text}' within {timeout}:\n{Output}");
            }
        }
    }

    public bool HasExited => process.HasExited;

    private static Process Launch(IEnumerable<string> args)
    {
        var dll = typeof(HostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestServerPath").Value!;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The test server is not built: {dll}");
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
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
        if (disposed) return;
        disposed = true;
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
